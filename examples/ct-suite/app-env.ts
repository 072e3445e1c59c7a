// Runs inside a peer: a stand-in for OTP's application environment
// (`rpc:call(Node, application, set_env, [kernel, key, value])` in the man page).
const env = new Map<string, unknown>()

export function setEnv(app: string, key: string, value: unknown): 'ok' {
  env.set(`${app}.${key}`, value)
  return 'ok'
}

export function getEnv(app: string, key: string): unknown {
  return env.get(`${app}.${key}`)
}
