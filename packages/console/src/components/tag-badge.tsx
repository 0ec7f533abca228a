import { tagLabel } from '../types.js';

const palette = ['#e8833a', '#2a9d8f', '#9b5de5', '#d1495b', '#00798c', '#edae49', '#6a994e'];

/** Baseline is always the same blue; other tags get stable colours from their name. */
export function tagColor(tag: string): string {
  if (tag === '') return '#4a6fa5';
  if (tag === 'gray' || tag === 'grey') return palette[0]!;
  let h = 0;
  for (const c of tag) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return palette[1 + (h % (palette.length - 1))]!;
}

export function TagBadge(props: { tag: string; count?: number }) {
  return (
    <span className="tag" style={{ borderColor: tagColor(props.tag) }} data-tag={props.tag}>
      <span className="dot" style={{ background: tagColor(props.tag) }} aria-hidden="true" />
      {tagLabel(props.tag)}
      {props.count !== undefined && <span className="count">×{props.count}</span>}
    </span>
  );
}
