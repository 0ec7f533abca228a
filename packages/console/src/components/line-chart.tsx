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

// Drawn near its displayed size (the charts are about 460 to 640 px wide), so 12 px text stays readable.
const W = 560;
const PAD = { left: 60, right: 14, top: 12, bottom: 26 };
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];
const X_FRACTIONS = [0, 0.25, 0.5, 0.75, 1];

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const clock = (t: number, span: number) =>
  new Date(t).toLocaleTimeString(
    [],
    span > 86_400_000
      ? { weekday: 'short', hour: '2-digit' }
      : span <= 600_000
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
        : { hour: '2-digit', minute: '2-digit' },
  );

/**
 * An SVG line chart: one line per tag, gaps where nothing was reported, labelled axes,
 * a legend with each tag's value at the hovered time (the latest otherwise), and a
 * crosshair with a tooltip of the values on hover.
 */
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
          {Y_TICKS.map((f) => (
            <g key={f} className="grid">
              <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} />
              <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end">
                {props.format(max * f)}
              </text>
            </g>
          ))}
          {X_FRACTIONS.map((f) => {
            const t = t0 + span * f;
            const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
            return (
              <text key={f} className="axis" x={x(t)} y={H - 6} textAnchor={anchor}>
                {clock(t, span)}
              </text>
            );
          })}
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
            <g className="tooltip" data-testid="chart-tooltip">
              <line
                className="crosshair"
                x1={x(times[hover])}
                x2={x(times[hover])}
                y1={PAD.top}
                y2={H - PAD.bottom}
              />
              <text
                className="hover-time"
                x={x(times[hover]) + (x(times[hover]) > W / 2 ? -8 : 8)}
                y={PAD.top + 12}
                textAnchor={x(times[hover]) > W / 2 ? 'end' : 'start'}
              >
                {clock(times[hover], 0)}
                {props.series.map((s) => {
                  const v = s.points[hover]?.v ?? null;
                  return (
                    <tspan key={s.tag} x={x(times[hover]!) + (x(times[hover]!) > W / 2 ? -8 : 8)} dy={16}>
                      {`${tagLabel(s.tag)}: ${v === null ? '–' : props.format(v)}`}
                    </tspan>
                  );
                })}
              </text>
            </g>
          )}
        </svg>
      )}
    </figure>
  );
}
