// A dependency-free grouped bar chart rendered as SVG from benchmark numbers.

export interface Bar {
  series: string;
  value: number;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface BarChart {
  title: string;
  unit: string;
  groups: BarGroup[];
  /** Logarithmic value axis, for values that span decades (p50 next to p99 under load). */
  logarithmic?: boolean;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948'];
const WIDTH = 760;
const MARGIN = { top: 56, right: 24, bottom: 64, left: 64 };
const HEIGHT = 360;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A "nice" axis maximum (1, 2 or 5 × 10^n) at or above the largest value. */
function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= value) ?? 10 * magnitude;
}

function formatValue(value: number): string {
  return value >= 100
    ? value.toFixed(0)
    : value >= 10
      ? value.toFixed(1)
      : value >= 0.01
        ? value.toFixed(2)
        : String(value);
}

export function renderBarChart(chart: BarChart): string {
  const series = [...new Set(chart.groups.flatMap((group) => group.bars.map((bar) => bar.series)))];
  const values = chart.groups.flatMap((group) => group.bars.map((bar) => bar.value)).filter(Number.isFinite);
  const positive = values.filter((value) => value > 0);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const groupWidth = plotWidth / Math.max(1, chart.groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, series.length);
  let ticks: number[];
  let y: (value: number) => number;
  if (chart.logarithmic && positive.length > 0) {
    const low = Math.floor(Math.log10(Math.min(...positive)));
    const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...positive))));
    ticks = Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i));
    y = (value) =>
      MARGIN.top + plotHeight - ((Math.log10(Math.max(value, 10 ** low)) - low) / (high - low)) * plotHeight;
  } else {
    const axisMax = niceCeiling(Math.max(0, ...values));
    ticks = Array.from({ length: 6 }, (_, i) => (axisMax * i) / 5);
    y = (value) => MARGIN.top + plotHeight - (value / axisMax) * plotHeight;
  }

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  for (const value of ticks) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end">${formatValue(value)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.unit)}</text>`,
  );
  chart.groups.forEach((group, groupIndex) => {
    const groupX = MARGIN.left + groupIndex * groupWidth + groupWidth * 0.1;
    for (const bar of group.bars) {
      if (!Number.isFinite(bar.value)) continue;
      const seriesIndex = series.indexOf(bar.series);
      const x = groupX + seriesIndex * barWidth;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(bar.value).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(MARGIN.top + plotHeight - y(bar.value)).toFixed(1)}" fill="${PALETTE[seriesIndex % PALETTE.length]}"/>`,
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(y(bar.value) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${formatValue(bar.value)}</text>`,
      );
    }
    parts.push(
      `<text x="${(groupX + groupWidth * 0.4).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${escapeXml(group.label)}</text>`,
    );
  });
  series.forEach((name, index) => {
    const x = MARGIN.left + index * 150;
    parts.push(
      `<rect x="${x}" y="${HEIGHT - 24}" width="12" height="12" fill="${PALETTE[index % PALETTE.length]}"/>`,
      `<text x="${x + 18}" y="${HEIGHT - 14}">${escapeXml(name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
