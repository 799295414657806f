/**
 * A small hand-written SVG bar chart (no chart library): horizontal bars of
 * "time relative to node:crypto" per test, on a log10 axis, with the value
 * printed on each bar and a reference line at 1.0.
 */

export interface ChartBar { name: string; value: number; detail?: string }
export interface ChartGroup { label: string; bars: ChartBar[] }

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const PALETTE: Record<string, string> = {
  mailpki: '#1f77b4',
  'mailpki (1 thread)': '#1f77b4',
  workers: '#17becf',
  'node:crypto': '#7f7f7f',
  'noble direct': '#2ca02c',
  'micro-rsa-dsa-dh': '#ff7f0e',
  'node-forge (pure JS)': '#d62728',
};
function colour(name: string): string {
  if (name.includes('workers')) return PALETTE.workers!;
  return PALETTE[name] ?? '#9467bd';
}

export function renderSvg(groups: ChartGroup[], opts: { title: string; subtitle: string }): string {
  const W = 980;
  const left = 330;
  const right = 40;
  const barH = 16;
  const gap = 4;
  const groupGap = 18;
  const top = 70;
  const all = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const lo = Math.min(0.1, ...all.map((v) => v / 1.5));
  const hi = Math.max(10, ...all.map((v) => v * 1.5));
  const l0 = Math.floor(Math.log10(lo));
  const l1 = Math.ceil(Math.log10(hi));
  const plotW = W - left - right;
  const x = (v: number): number => left + ((Math.log10(v) - l0) / (l1 - l0)) * plotW;
  let y = top;
  const body: string[] = [];
  for (const g of groups) {
    body.push(`<text x="10" y="${y + 12}" font-weight="bold">${esc(g.label)}</text>`);
    y += 18;
    for (const b of g.bars) {
      const w = Math.max(1, x(b.value) - x(10 ** l0));
      body.push(`<text x="${left - 8}" y="${y + barH - 4}" text-anchor="end">${esc(b.name)}</text>`);
      body.push(`<rect x="${x(10 ** l0)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colour(b.name)}"><title>${esc(`${g.label} · ${b.name}: ${b.value.toFixed(2)}x${b.detail ? ` (${b.detail})` : ''}`)}</title></rect>`);
      body.push(`<text x="${(x(10 ** l0) + w + 4).toFixed(1)}" y="${y + barH - 4}" font-size="11">${b.value.toFixed(2)}x${b.detail ? ` · ${esc(b.detail)}` : ''}</text>`);
      y += barH + gap;
    }
    y += groupGap;
  }
  const H = y + 30;
  const axis: string[] = [];
  for (let p = l0; p <= l1; p++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** p;
      if (v < 10 ** l0 || v > 10 ** l1) continue;
      const xx = x(v).toFixed(1);
      axis.push(`<line x1="${xx}" y1="${top - 6}" x2="${xx}" y2="${H - 30}" stroke="${v === 1 ? '#000' : '#ddd'}" stroke-width="${v === 1 ? 1.5 : 1}"${v === 1 ? ' stroke-dasharray="4 3"' : ''}/>`);
      axis.push(`<text x="${xx}" y="${H - 14}" text-anchor="middle" font-size="11">${v >= 1 ? v : v.toFixed(Math.max(0, -p))}x</text>`);
    }
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="16" font-weight="bold">${esc(opts.title)}</text>`,
    `<text x="10" y="42" font-size="11" fill="#444">${esc(opts.subtitle)}</text>`,
    `<text x="${x(1) + 4}" y="${top - 8}" font-size="11">node:crypto = 1</text>`,
    ...axis,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
