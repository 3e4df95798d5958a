// Map colours. Cells carry their own light fill and dark ink, so they read the same on a light
// or a dark page; lines and frame labels use a mid grey that keeps contrast on both.
import type { Status } from '../types.ts';

export interface StatusColours {
  readonly fill: string;
  readonly stroke: string;
  /** Text colour inside the cell. */
  readonly ink: string;
  readonly dashed: boolean;
  /** Outline width when it differs from the map's line width: `error` is drawn loudest. */
  readonly width?: number;
}

// `error` is the loudest thing on the map (saturated, white text, a thick outline); `pending` is a
// pale amber, clearly quieter; `blocked` a muted red with a dashed outline; `ok` a calm green.
export const STATUS_COLOURS: Readonly<Record<Status, StatusColours>> = {
  unknown: { fill: '#dde2e8', stroke: '#6b7482', ink: '#1f2630', dashed: false },
  ok: { fill: '#a9dbb5', stroke: '#2f7d45', ink: '#0d2e16', dashed: false },
  degraded: { fill: '#f5e06e', stroke: '#7a6500', ink: '#2e2600', dashed: false },
  pending: { fill: '#fbe6c6', stroke: '#b86e00', ink: '#3d2400', dashed: false },
  error: { fill: '#d42a2a', stroke: '#5c0000', ink: '#ffffff', dashed: false, width: 5 },
  blocked: { fill: '#ecd5d5', stroke: '#9c5b5b', ink: '#3a1f1f', dashed: true },
  // Planned work: a calm blue, neither a problem nor plain health.
  maintenance: { fill: '#c6dcf5', stroke: '#2b5f9e', ink: '#0f2440', dashed: false },
};

/** A flapping entity's outline, over its status fill (the page's CSS draws the same). */
export const FLAP_MARK = { stroke: '#9334e6', dash: '3 3', width: 4 } as const;

/** Edges, frames and their labels. */
export const LINE_COLOUR = '#7d8797';
export const FRAME_FILL = 'rgba(125,135,151,0.10)';
export const DASH = '6 5';
