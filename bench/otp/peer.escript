#!/usr/bin/env escript
%% -*- erlang -*-
%% Erlang/OTP's `peer`, driven by bench/sections/otp.mjs: reads one command a line on stdin and
%% answers one JSON line on stdout. MODE is stdio (#{connection => standard_io}) or tcp
%% (#{connection => 0}). Exits at end of input; the peers it started are linked to it.
%%   boot MODE                            start_link until it returns, then the first peer:call
%%                                        (ms); stop
%%   trips MODE WARM N TOTAL WINDOW ECHOES on one peer: N sequential peer:call round trips after
%%                                        WARM (median, p99, µs); TOTAL calls from WINDOW
%%                                        concurrent callers (rate, calls/s); a 1 MiB binary
%%                                        echoed ECHOES times (echo, median ms); stop
-mode(compile).

main(_) -> loop().

loop() ->
    case io:get_line("") of
        eof -> ok;
        Line ->
            Reply = command(string:lexemes(string:trim(Line), " ")),
            io:put_chars([Reply, "\n"]),
            loop()
    end.

opts("stdio") -> #{connection => standard_io};
opts("tcp") -> #{connection => 0}.

now_us() -> erlang:monotonic_time(nanosecond) / 1000.

call(P) -> nonode@nohost = peer:call(P, erlang, node, [], 15000).

median(Sorted) -> lists:nth(max(1, (length(Sorted) + 1) div 2), Sorted).

command(["boot", Mode]) ->
    T0 = now_us(),
    {ok, P, _} = peer:start_link(opts(Mode)),
    T1 = now_us(),
    call(P),
    T2 = now_us(),
    peer:stop(P),
    json([{boot, (T1 - T0) / 1000}, {first, (T2 - T1) / 1000}]);
command(["trips", Mode, Warm, N, Total, Window, Echoes]) ->
    {ok, P, _} = peer:start_link(opts(Mode)),
    try
        [I, W, T, Win, E] = [list_to_integer(X) || X <- [Warm, N, Total, Window, Echoes]],
        json(rtt(P, I, W) ++ pipe(P, T, Win) ++ echo(P, E))
    after
        peer:stop(P)
    end.

rtt(P, Warm, N) ->
    [call(P) || _ <- lists:seq(1, Warm)],
    Ts = lists:sort([begin T = now_us(), call(P), now_us() - T end || _ <- lists:seq(1, N)]),
    [{median, median(Ts)}, {p99, lists:nth(max(1, ceil(0.99 * length(Ts))), Ts)}].

pipe(P, Total, Window) ->
    Per = Total div Window,
    Parent = self(),
    T0 = now_us(),
    Pids = [spawn_link(fun() -> [call(P) || _ <- lists:seq(1, Per)], Parent ! {done, self()} end)
            || _ <- lists:seq(1, Window)],
    [receive {done, Pid} -> ok end || Pid <- Pids],
    [{rate, Per * Window / ((now_us() - T0) / 1.0e6)}].

echo(P, N) ->
    Bin = binary:copy(<<7>>, 1 bsl 20),
    Echo = fun() -> Bin = peer:call(P, erlang, iolist_to_binary, [Bin], 60000) end,
    Echo(),
    [{echo, median(lists:sort([begin T = now_us(), Echo(), (now_us() - T) / 1000 end || _ <- lists:seq(1, N)]))}].

json(Pairs) ->
    ["{", lists:join(",", [io_lib:format("\"~s\":~.6f", [K, float(V)]) || {K, V} <- Pairs]), "}"].
