// Test helper (parent side): the <testcase> elements of a JUnit XML file, text unescaped.
// Enough for Vitest's own JUnit output; not a general XML parser.
const unescapeXml = (s: string) =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&')

export interface JunitCase {
  name: string
  /** `type` attribute and body of each <failure>. */
  failures: { type: string; text: string }[]
  systemOut: string
  systemErr: string
}

export function junitCases(xml: string): Map<string, JunitCase> {
  const cases = new Map<string, JunitCase>()
  for (const match of xml.matchAll(/<testcase [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const body = match[2]!
    const failures = [...body.matchAll(/<failure [^>]*type="([^"]*)"[^>]*>([\s\S]*?)<\/failure>/g)].map((f) => ({
      type: f[1]!,
      text: unescapeXml(f[2]!),
    }))
    const section = (tag: string) => unescapeXml(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body)?.[1] ?? '')
    cases.set(unescapeXml(match[1]!), {
      name: unescapeXml(match[1]!),
      failures,
      systemOut: section('system-out'),
      systemErr: section('system-err'),
    })
  }
  return cases
}
