import { html, type SafeHtml } from './escape-html.js';

/** One bar of a bar chart: `key` identifies it (a code), `label` is shown. */
export interface Bar {
  readonly key: string;
  readonly label: string;
  readonly count: number;
}

/** What a chart is called and says, for screen readers (`<title>`, `<desc>`) and the page. */
export interface ChartText {
  /** The `id` of the `<svg>`; its title and description get ids derived from it. */
  readonly id: string;
  readonly title: string;
}

const WIDTH = 400;
const LABEL_WIDTH = 150;
const VALUE_WIDTH = 48;
const ROW_HEIGHT = 26;
const BAR_HEIGHT = 16;
const LABEL_CHARACTERS = 19;
const TIME_HEIGHT = 190;
const TIME_MARGIN = { left: 40, right: 10, top: 12, bottom: 30 };
const DAY_MS = 86_400_000;
const MAX_DAILY_COLUMNS = 92;
const MAX_MONTHLY_COLUMNS = 36;

function shortened(label: string): string {
  const characters = [...label];
  return characters.length <= LABEL_CHARACTERS ? label : `${characters.slice(0, LABEL_CHARACTERS - 1).join('').trimEnd()}…`;
}

function svgOpen(text: ChartText, height: number, description: string, body: SafeHtml): SafeHtml {
  return html`<svg id="${text.id}" class="chart" role="img" aria-labelledby="${text.id}-title ${text.id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">
<title id="${text.id}-title">${text.title}</title>
<desc id="${text.id}-desc">${description}</desc>
${body}
</svg>`;
}

function emptyChart(text: ChartText): SafeHtml {
  return svgOpen(text, 60, 'No sign-ups match these filters.',
    html`<text class="chart-empty" x="${WIDTH / 2}" y="34" text-anchor="middle">No sign-ups match these filters.</text>`);
}

/**
 * A horizontal bar chart as inline SVG, one row per bar in the given order: the label
 * (shortened to fit, in full in the bar's tooltip), the bar scaled to the largest
 * count, the count. Scales to its container (`viewBox`, `width="100%"`), so it reads
 * on a phone; `<title>` and `<desc>` (every label with its count) make it accessible.
 * Every label is escaped. Each row carries `data-key` and `data-count`.
 */
export function renderBarChart(text: ChartText, bars: readonly Bar[]): SafeHtml {
  if (bars.length === 0) return emptyChart(text);
  const largest = Math.max(...bars.map((bar) => bar.count), 1);
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const rows = bars.map((bar, index) => {
    const y = index * ROW_HEIGHT + 4;
    const width = Math.max((bar.count / largest) * barSpace, bar.count > 0 ? 2 : 0);
    return html`<g class="chart-row" data-key="${bar.key}" data-count="${bar.count}">
<title>${bar.label}: ${bar.count}</title>
<text class="chart-label" x="${LABEL_WIDTH - 8}" y="${y + BAR_HEIGHT - 4}" text-anchor="end">${shortened(bar.label)}</text>
<rect class="chart-bar" x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" rx="3"></rect>
<text class="chart-value" x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + BAR_HEIGHT - 4}">${bar.count}</text>
</g>`;
  });
  const description = bars.map((bar) => `${bar.label}: ${bar.count}`).join('; ');
  return svgOpen(text, bars.length * ROW_HEIGHT + 8, `${description}.`, html`${rows}`);
}

/** A column of the time chart: a day, a month or a year, with its label and count. */
interface Period {
  readonly key: string;
  readonly count: number;
}

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/**
 * The sign-ups per day with the days between filled in with zero, or per month or per
 * year when the range is too long for one column a day to be read.
 */
export function periodsOf(byDay: readonly { readonly date: string; readonly count: number }[]): { unit: 'day' | 'month' | 'year'; periods: Period[] } {
  if (byDay.length === 0) return { unit: 'day', periods: [] };
  const first = byDay[0]!.date;
  const last = byDay[byDay.length - 1]!.date;
  const days = dayNumber(last) - dayNumber(first) + 1;
  const months = (Number(last.slice(0, 4)) - Number(first.slice(0, 4))) * 12 + Number(last.slice(5, 7)) - Number(first.slice(5, 7)) + 1;
  const unit = days <= MAX_DAILY_COLUMNS ? 'day' : months <= MAX_MONTHLY_COLUMNS ? 'month' : 'year';
  const keyOf = (date: string): string => (unit === 'day' ? date : unit === 'month' ? date.slice(0, 7) : date.slice(0, 4));
  const counts = new Map<string, number>();
  for (const { date, count } of byDay) counts.set(keyOf(date), (counts.get(keyOf(date)) ?? 0) + count);
  const keys: string[] = [];
  if (unit === 'day') {
    for (let day = dayNumber(first); day <= dayNumber(last); day += 1) keys.push(new Date(day * DAY_MS).toISOString().slice(0, 10));
  } else if (unit === 'month') {
    for (let month = 0; month < months; month += 1) {
      keys.push(new Date(Date.UTC(Number(first.slice(0, 4)), Number(first.slice(5, 7)) - 1 + month, 1)).toISOString().slice(0, 7));
    }
  } else {
    for (let year = Number(first.slice(0, 4)); year <= Number(last.slice(0, 4)); year += 1) keys.push(String(year).padStart(4, '0'));
  }
  return { unit, periods: keys.map((key) => ({ key, count: counts.get(key) ?? 0 })) };
}

/**
 * Sign-ups over time as a column chart in inline SVG: one column per day (per month or
 * per year for long ranges, see `periodsOf`), the largest count marked on the axis, the
 * first, middle and last periods labelled. Each column carries `data-period` and
 * `data-count` and a tooltip.
 */
export function renderTimeChart(text: ChartText, byDay: readonly { readonly date: string; readonly count: number }[]): SafeHtml {
  const { unit, periods } = periodsOf(byDay);
  if (periods.length === 0) return emptyChart(text);
  const plotWidth = WIDTH - TIME_MARGIN.left - TIME_MARGIN.right;
  const plotHeight = TIME_HEIGHT - TIME_MARGIN.top - TIME_MARGIN.bottom;
  const largest = Math.max(...periods.map((period) => period.count), 1);
  const step = plotWidth / periods.length;
  const bottom = TIME_MARGIN.top + plotHeight;
  const columns = periods.map((period, index) => {
    const height = (period.count / largest) * plotHeight;
    const x = TIME_MARGIN.left + index * step + step * 0.1;
    return html`<rect class="chart-bar" data-period="${period.key}" data-count="${period.count}" x="${x.toFixed(2)}" y="${(bottom - height).toFixed(2)}" width="${Math.max(step * 0.8, 0.5).toFixed(2)}" height="${height.toFixed(2)}"><title>${period.key}: ${period.count}</title></rect>`;
  });
  const labelled = [...new Set([0, Math.floor((periods.length - 1) / 2), periods.length - 1])];
  const labels = labelled.map((index) => {
    const anchor = labelled.length > 1 && index === 0 ? 'start' : index === periods.length - 1 && labelled.length > 1 ? 'end' : 'middle';
    const x = anchor === 'start' ? TIME_MARGIN.left : anchor === 'end' ? WIDTH - TIME_MARGIN.right : TIME_MARGIN.left + (index + 0.5) * step;
    return html`<text class="chart-label" x="${x.toFixed(2)}" y="${TIME_HEIGHT - 10}" text-anchor="${anchor}">${periods[index]!.key}</text>`;
  });
  const total = periods.reduce((sum, period) => sum + period.count, 0);
  const busiest = periods.reduce((best, period) => (period.count > best.count ? period : best));
  const description = `Sign-ups per ${unit} from ${periods[0]!.key} to ${periods[periods.length - 1]!.key}: ${total} in all; `
    + `the most, ${busiest.count}, in ${busiest.key}.`;
  return svgOpen(text, TIME_HEIGHT, description, html`<line class="chart-axis" x1="${TIME_MARGIN.left}" y1="${TIME_MARGIN.top}" x2="${WIDTH - TIME_MARGIN.right}" y2="${TIME_MARGIN.top}"></line>
<line class="chart-axis" x1="${TIME_MARGIN.left}" y1="${bottom}" x2="${WIDTH - TIME_MARGIN.right}" y2="${bottom}"></line>
<text class="chart-value" x="${TIME_MARGIN.left - 6}" y="${TIME_MARGIN.top + 4}" text-anchor="end">${largest}</text>
<text class="chart-value" x="${TIME_MARGIN.left - 6}" y="${bottom + 4}" text-anchor="end">0</text>
${columns}
${labels}`);
}
