#!/usr/bin/env escript
%% -*- erlang -*-
%% Erlang/OTP's `peer`, driven by bench/sections/otp.mjs: reads one command a line on stdin and
%% answers one JSON line on stdout. MODE is stdio (#{connection => standard_io}) or tcp
%% (#{connection => 0}). Exits at end of input; the peers it started are linked to it.
%%   boot MODE              start_link until it returns, then the first peer:call; stop
%%   rtt MODE WARM N        N sequential peer:call round trips after WARM: median and p99, µs
%%   pipe MODE TOTAL WINDOW TOTAL calls from WINDOW concurrent callers: calls/s
%%   echo MODE N            a 1 MiB binary echoed N times: median ms
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

with_peer(Mode, Fun) ->
    {ok, P, _} = peer:start_link(opts(Mode)),
    try Fun(P) after peer:stop(P) end.

command(["boot", Mode]) ->
    T0 = now_us(),
    {ok, P, _} = peer:start_link(opts(Mode)),
    T1 = now_us(),
    call(P),
    T2 = now_us(),
    peer:stop(P),
    json([{boot, (T1 - T0) / 1000}, {first, (T2 - T1) / 1000}]);
command(["rtt", Mode, Warm, N]) ->
    with_peer(Mode, fun(P) ->
        [call(P) || _ <- lists:seq(1, list_to_integer(Warm))],
        Ts = lists:sort([begin T = now_us(), call(P), now_us() - T end || _ <- lists:seq(1, list_to_integer(N))]),
        Len = length(Ts),
        json([{median, lists:nth(max(1, (Len + 1) div 2), Ts)},
              {p99, lists:nth(max(1, ceil(0.99 * Len)), Ts)}])
    end);
command(["pipe", Mode, Total, Window]) ->
    with_peer(Mode, fun(P) ->
        W = list_to_integer(Window),
        Per = list_to_integer(Total) div W,
        Parent = self(),
        T0 = now_us(),
        Pids = [spawn_link(fun() -> [call(P) || _ <- lists:seq(1, Per)], Parent ! {done, self()} end)
                || _ <- lists:seq(1, W)],
        [receive {done, Pid} -> ok end || Pid <- Pids],
        json([{rate, Per * W / ((now_us() - T0) / 1.0e6)}])
    end);
command(["echo", Mode, N]) ->
    with_peer(Mode, fun(P) ->
        Bin = binary:copy(<<7>>, 1 bsl 20),
        Echo = fun() -> Bin = peer:call(P, erlang, iolist_to_binary, [Bin], 60000) end,
        Echo(),
        Ts = lists:sort([begin T = now_us(), Echo(), (now_us() - T) / 1000 end || _ <- lists:seq(1, list_to_integer(N))]),
        json([{median, lists:nth(max(1, (length(Ts) + 1) div 2), Ts)}])
    end).

json(Pairs) ->
    ["{", lists:join(",", [io_lib:format("\"~s\":~.6f", [K, float(V)]) || {K, V} <- Pairs]), "}"].
