/**
 * Dependency-free SVG charts. Each chart is an <svg role="img"> with a title and a one-line
 * summary for screen readers, plus the data as a visually hidden table, so the figures are
 * never only a picture.
 */
import { useId } from "react";
import "./Chart.css";

export interface Series {
  label: string;
  values: number[];
}

const COLORS = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be123c", "#4d7c0f", "#a16207"];

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 48 };

function niceMax(n: number): number {
  if (n <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / magnitude) * magnitude;
}

function DataTable({ caption, labels, series, format }: { caption: string; labels: string[]; series: Series[]; format: (n: number) => string }) {
  // Hidden in a box: a table grows to fit its cells whatever width it is given, and widened
  // a 390 px phone's page when it was hidden itself.
  return (
    <div className="ulak-visually-hidden">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <td />
            {series.map((s) => (
              <th key={s.label} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {series.map((s) => (
                <td key={s.label}>{format(s.values[i] ?? 0)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Legend({ series }: { series: Series[] }) {
  return (
    <ul className="ulak-legend" aria-hidden="true">
      {series.map((s, i) => (
        <li key={s.label}>
          <span className="ulak-legend-swatch" style={{ background: COLORS[i % COLORS.length] }} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

export interface ChartProps {
  title: string;
  /** x-axis labels, one per value. */
  labels: string[];
  series: Series[];
  format?: (n: number) => string;
}

export function LineChart({ title, labels, series, format = String }: ChartProps) {
  const titleId = useId();
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (labels.length <= 1 ? innerW / 2 : (i * innerW) / (labels.length - 1));
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const summary = series.map((s) => `${s.label}: ${format(s.values.reduce((a, b) => a + b, 0))}`).join(", ");
  return (
    <figure className="ulak-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{`${title}. ${summary}`}</title>
        <Axes max={max} format={format} labels={labels} x={x} />
        {series.map((s, si) => (
          <polyline
            key={s.label}
            fill="none"
            stroke={COLORS[si % COLORS.length]}
            strokeWidth={2}
            points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ")}
            data-series={s.label}
          />
        ))}
      </svg>
      <figcaption>
        <span className="ulak-chart-title">{title}</span>
        <Legend series={series} />
      </figcaption>
      <DataTable caption={title} labels={labels} series={series} format={format} />
    </figure>
  );
}

export function BarChart({ title, labels, series, format = String }: ChartProps) {
  const titleId = useId();
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, labels.length);
  const barW = Math.max(2, (slot * 0.8) / Math.max(1, series.length));
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const summary = labels.map((l, i) => `${l}: ${series.map((s) => format(s.values[i] ?? 0)).join("/")}`).join(", ");
  return (
    <figure className="ulak-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{`${title}. ${summary}`}</title>
        <Axes max={max} format={format} labels={labels} x={x} />
        {series.map((s, si) =>
          s.values.map((v, i) => {
            const h = (v / max) * innerH;
            return (
              <rect
                key={`${s.label}-${i}`}
                x={x(i) - (barW * series.length) / 2 + si * barW}
                y={PAD.top + innerH - h}
                width={barW - 1}
                height={h}
                fill={COLORS[si % COLORS.length]}
                data-series={s.label}
              />
            );
          }),
        )}
      </svg>
      <figcaption>
        <span className="ulak-chart-title">{title}</span>
        {series.length > 1 && <Legend series={series} />}
      </figcaption>
      <DataTable caption={title} labels={labels} series={series} format={format} />
    </figure>
  );
}

function Axes({ max, format, labels, x }: { max: number; format: (n: number) => string; labels: string[]; x: (i: number) => number }) {
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const ticks = [0, 0.5, 1];
  const every = Math.max(1, Math.ceil(labels.length / 7));
  return (
    <g aria-hidden="true" className="ulak-axes">
      {ticks.map((t) => {
        const yy = PAD.top + innerH - t * innerH;
        return (
          <g key={t}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={yy} y2={yy} className="ulak-grid-line" stroke="#e5e7eb" />
            <text x={PAD.left - 6} y={yy + 4} textAnchor="end">
              {format(Math.round(max * t))}
            </text>
          </g>
        );
      })}
      {labels.map((l, i) =>
        i % every === 0 ? (
          <text key={l} x={x(i)} y={HEIGHT - 8} textAnchor="middle">
            {l}
          </text>
        ) : null,
      )}
    </g>
  );
}
