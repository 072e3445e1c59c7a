// Called in a peer by the bulk and pipelined sections: returns its argument.
export const echo = (value) => value
export const ping = () => 'pong'
