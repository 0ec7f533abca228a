import { tagColor } from '../components/tag-badge.js';
import { formatPercent, formatQps } from '../trend-stats.js';
import { type LaneEdge, tagLabel } from '../types.js';

const NODE_W = 170;
const NODE_H = 40;
const COL_GAP = 120;
const ROW_GAP = 34;
const PAD = 16;

export const reachLabel = (e: LaneEdge) =>
  e.reached === 'lane'
    ? `in lane (${tagLabel(e.targetTag)})`
    : e.reached === 'fallback'
      ? `fell back to ${tagLabel(e.targetTag)}`
      : `leaked to ${tagLabel(e.targetTag)}`;

const reachColor = (tag: string, e: LaneEdge) =>
  e.reached === 'lane' ? tagColor(tag) : e.reached === 'fallback' ? '#c77700' : '#c0262d';

/**
 * Columns by call depth: an app sits one column right of its deepest caller, so the
 * entry (gateway, A) is on the left and the last callee on the right. Cycles stop at
 * the number of apps.
 */
function layout(edges: LaneEdge[]): Map<string, { col: number; row: number }> {
  const apps = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const depth = new Map(apps.map((a) => [a, 0]));
  for (let pass = 0; pass < apps.length; pass++) {
    let moved = false;
    for (const e of edges) {
      if (e.from === e.to) continue;
      const want = depth.get(e.from)! + 1;
      if (want > depth.get(e.to)! && want < apps.length) {
        depth.set(e.to, want);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const rows = new Map<number, number>();
  const at = new Map<string, { col: number; row: number }>();
  for (const a of apps) {
    const col = depth.get(a)!;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    at.set(a, { col, row });
  }
  return at;
}

/** One lane's caller → callee graph; every edge says where it went, its rate and errors. */
export function LaneGraph(props: { tag: string; edges: LaneEdge[] }) {
  const at = layout(props.edges);
  const cols = Math.max(0, ...[...at.values()].map((p) => p.col)) + 1;
  const rows = Math.max(0, ...[...at.values()].map((p) => p.row)) + 1;
  const width = PAD * 2 + cols * NODE_W + (cols - 1) * COL_GAP;
  const height = PAD * 2 + rows * NODE_H + (rows - 1) * ROW_GAP + 24;
  const box = (app: string) => {
    const p = at.get(app)!;
    return { x: PAD + p.col * (NODE_W + COL_GAP), y: PAD + 12 + p.row * (NODE_H + ROW_GAP) };
  };
  // Two edges between the same pair (in lane and fell back) are drawn apart.
  const pairs = new Map<string, number>();
  const markerId = (e: LaneEdge) => `arrow-${props.tag || 'baseline'}-${e.reached}`;

  return (
    <svg
      className="lane-graph"
      viewBox={`0 0 ${width} ${height}`}
      style={{ maxWidth: `${width}px` }}
      role="img"
      aria-label={`Lane ${tagLabel(props.tag)}: ${props.edges.map((e) => `${e.from} to ${e.to} ${reachLabel(e)}`).join('; ')}`}
    >
      <defs>
        {(['lane', 'fallback', 'leak'] as const).map((r) => (
          <marker
            key={r}
            id={`arrow-${props.tag || 'baseline'}-${r}`}
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" fill={reachColor(props.tag, { reached: r } as LaneEdge)} />
          </marker>
        ))}
      </defs>
      {props.edges.map((e) => {
        const a = box(e.from);
        const b = box(e.to);
        const key = `${e.from}>${e.to}`;
        const nth = pairs.get(key) ?? 0;
        pairs.set(key, nth + 1);
        const shift = nth * 22;
        const x1 = a.x + NODE_W;
        const y1 = a.y + NODE_H / 2 + shift - 6;
        const x2 = b.x;
        const y2 = b.y + NODE_H / 2 + shift - 6;
        const backwards = x2 <= x1;
        const d = backwards
          ? `M${a.x + NODE_W / 2},${a.y + NODE_H} C${a.x + NODE_W / 2},${a.y + NODE_H + 40} ${b.x + NODE_W / 2},${b.y + NODE_H + 40} ${b.x + NODE_W / 2},${b.y + NODE_H}`
          : `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`;
        const lx = backwards ? (a.x + b.x + NODE_W) / 2 : (x1 + x2) / 2;
        const ly = backwards ? Math.max(a.y, b.y) + NODE_H + 34 : (y1 + y2) / 2 - 5;
        return (
          <g
            key={`${key}>${e.targetTag}>${e.reached}`}
            className={`edge edge-${e.reached}`}
            data-testid="lane-edge"
            data-from={e.from}
            data-to={e.to}
            data-reached={e.reached}
          >
            <path
              d={d}
              fill="none"
              stroke={reachColor(props.tag, e)}
              strokeWidth={e.errors > 0 ? 3 : 2}
              strokeDasharray={e.reached === 'lane' ? undefined : '6 4'}
              markerEnd={`url(#${markerId(e)})`}
            />
            <text x={lx} y={ly} textAnchor="middle" className="edge-label">
              {`${e.reached === 'lane' ? tagLabel(e.targetTag) : reachLabel(e)} · ${formatQps(e.rate)}/s`}
              {e.errors > 0 ? ` · ${formatPercent(e.errorRate)} err` : ''}
            </text>
          </g>
        );
      })}
      {[...at.keys()].map((app) => {
        const { x, y } = box(app);
        return (
          <g key={app} className="node" data-app={app}>
            <rect x={x} y={y} width={NODE_W} height={NODE_H} rx={6} />
            <text x={x + NODE_W / 2} y={y + NODE_H / 2 + 5} textAnchor="middle">
              {app.length > 22 ? `${app.slice(0, 21)}…` : app}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
