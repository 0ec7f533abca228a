import { useId, useState } from 'react';
import { tagLabel } from '../types.js';
import { tagColor } from './tag-badge.js';

export interface ChartSeries {
  tag: string;
  points: Array<{ t: number; v: number | null }>;
}

interface Props {
  id: string;
  title: string;
  series: ChartSeries[];
  format: (v: number) => string;
  height?: number;
}

const W = 640;
const PAD = { left: 48, right: 12, top: 10, bottom: 22 };

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const clock = (t: number, span: number) =>
  new Date(t).toLocaleTimeString(
    [],
    span > 86_400_000 ? { weekday: 'short', hour: '2-digit' } : { hour: '2-digit', minute: '2-digit' },
  );

/** A small SVG line chart: one line per tag, gaps where nothing was reported, a crosshair on hover or focus. */
export function LineChart(props: Props) {
  const H = props.height ?? 200;
  const titleId = useId();
  const [hover, setHover] = useState<number>();
  const all = props.series.flatMap((s) => s.points);
  const times = props.series[0]?.points.map((p) => p.t) ?? [];
  const t0 = times[0] ?? 0;
  const t1 = times[times.length - 1] ?? 1;
  const span = Math.max(1, t1 - t0);
  const max = niceMax(Math.max(0, ...all.map((p) => p.v ?? 0)));
  const x = (t: number) => PAD.left + ((t - t0) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);

  function path(points: ChartSeries['points']): string {
    let d = '';
    let pen = false;
    for (const p of points) {
      if (p.v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
      pen = true;
    }
    return d;
  }

  function move(e: React.MouseEvent<SVGSVGElement>) {
    const box = e.currentTarget.getBoundingClientRect();
    const px = ((e.clientX - box.left) / box.width) * W;
    const i = Math.round(((px - PAD.left) / (W - PAD.left - PAD.right)) * (times.length - 1));
    setHover(Math.min(times.length - 1, Math.max(0, i)));
  }

  const latest = (s: ChartSeries) => {
    for (let i = s.points.length - 1; i >= 0; i--) if (s.points[i]!.v !== null) return s.points[i]!.v!;
    return null;
  };
  const summary = props.series
    .map((s) => `${tagLabel(s.tag)} ${latest(s) === null ? 'no data' : props.format(latest(s)!)}`)
    .join(', ');
  const shown = hover ?? times.length - 1;

  return (
    <figure className="chart" data-testid={`chart-${props.id}`}>
      <figcaption id={titleId}>
        <span className="chart-title">{props.title}</span>
        <span className="legend">
          {props.series.map((s) => {
            const v = s.points[shown]?.v ?? null;
            return (
              <span key={s.tag} className="legend-item">
                <span className="swatch" style={{ background: tagColor(s.tag) }} aria-hidden="true" />
                {tagLabel(s.tag)} <b>{v === null ? '–' : props.format(v)}</b>
              </span>
            );
          })}
        </span>
      </figcaption>
      {props.series.length === 0 ? (
        <p className="chart-empty">No traffic reported in this window.</p>
      ) : (
        <svg
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-labelledby={titleId}
          onMouseMove={move}
          onMouseLeave={() => setHover(undefined)}
        >
          <title>{`${props.title}, latest: ${summary}`}</title>
          {[0, 0.5, 1].map((f) => (
            <g key={f} className="grid">
              <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} />
              <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end">
                {props.format(max * f)}
              </text>
            </g>
          ))}
          <text className="axis" x={PAD.left} y={H - 4}>
            {clock(t0, span)}
          </text>
          <text className="axis" x={W - PAD.right} y={H - 4} textAnchor="end">
            {clock(t1, span)}
          </text>
          {props.series.map((s) => (
            <path
              key={s.tag}
              d={path(s.points)}
              stroke={tagColor(s.tag)}
              fill="none"
              strokeWidth={2}
              data-tag={s.tag}
              data-max={Math.max(0, ...s.points.map((p) => p.v ?? 0))}
            />
          ))}
          {hover !== undefined && times[hover] !== undefined && (
            <line
              className="crosshair"
              x1={x(times[hover])}
              x2={x(times[hover])}
              y1={PAD.top}
              y2={H - PAD.bottom}
            />
          )}
        </svg>
      )}
    </figure>
  );
}
