// The table: one row per comparison, each figure beside its floor from the same run.
const num = (x) =>
  x >= 1000 ? Math.round(x).toLocaleString('en-US') : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)

function goalText(goal) {
  if (!goal) return ''
  if (goal.on === 'value') return `≤ ${goal.max} (absolute)`
  if (goal.on === 'diff') return `≤ floor + ${goal.max}`
  return goal.max !== undefined ? `≤ ${goal.max}×` : `≥ ${goal.min}×`
}

export function markdownTable(rows) {
  const lines = [
    '| section | measure | engine | floor (same run) | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const r of rows) {
    if (r.skipped || r.error) {
      lines.push(`| ${r.section} | ${r.what} | – | ${r.skipped ?? `failed: ${r.error.split('\n')[0]}`} | | | |`)
      continue
    }
    const floor = r.floor === undefined ? '' : `${num(r.floor)} ${r.unit} (${r.floorName})`
    const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`
    const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**'
    lines.push(
      `| ${r.section} | ${r.what} | ${num(r.value)} ${r.unit} | ${floor} | ${ratio} | ${goalText(r.goal)} | ${met} |`,
    )
  }
  return lines.join('\n')
}
