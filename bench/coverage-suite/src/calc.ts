// The code under test: an arithmetic evaluator (+ - * / and parentheses), enough code for the
// coverage conversion to have work to do.
type Token = { kind: 'number'; value: number } | { kind: 'op'; value: string }

export function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  for (const match of source.matchAll(/\s*(\d+(?:\.\d+)?|[-+*/()])/g)) {
    const text = match[1]!
    tokens.push(/\d/.test(text) ? { kind: 'number', value: Number(text) } : { kind: 'op', value: text })
  }
  return tokens
}

class Parser {
  private at = 0
  constructor(private readonly tokens: Token[]) {}

  expression(): number {
    let value = this.term()
    while (this.peek('+') || this.peek('-')) value = this.next() === '+' ? value + this.term() : value - this.term()
    return value
  }

  private term(): number {
    let value = this.factor()
    while (this.peek('*') || this.peek('/')) value = this.next() === '*' ? value * this.factor() : value / this.factor()
    return value
  }

  private factor(): number {
    const token = this.tokens[this.at++]
    if (token === undefined) throw new SyntaxError('unexpected end of expression')
    if (token.kind === 'number') return token.value
    if (token.value === '-') return -this.factor()
    if (token.value !== '(') throw new SyntaxError(`unexpected '${token.value}'`)
    const value = this.expression()
    if (this.next() !== ')') throw new SyntaxError("missing ')'")
    return value
  }

  private peek(op: string): boolean {
    const token = this.tokens[this.at]
    return token?.kind === 'op' && token.value === op
  }

  private next(): string | undefined {
    const token = this.tokens[this.at++]
    return token?.kind === 'op' ? token.value : undefined
  }
}

export function evaluate(source: string): number {
  return new Parser(tokenize(source)).expression()
}
