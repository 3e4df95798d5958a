// Map colours. Cells carry their own light fill and dark ink, so they read the same on a light
// or a dark page; lines and frame labels use a mid grey that keeps contrast on both.
import type { Status } from '../types.ts';

export interface StatusColours {
  readonly fill: string;
  readonly stroke: string;
  /** Text colour inside the cell. */
  readonly ink: string;
  readonly dashed: boolean;
}

export const STATUS_COLOURS: Readonly<Record<Status, StatusColours>> = {
  unknown: { fill: '#d5dae1', stroke: '#5b6472', ink: '#1f2630', dashed: false },
  ok: { fill: '#8fd19e', stroke: '#1e6b34', ink: '#0d2e16', dashed: false },
  degraded: { fill: '#f5e06e', stroke: '#7a6500', ink: '#2e2600', dashed: false },
  pending: { fill: '#f7b267', stroke: '#8a4b00', ink: '#331c00', dashed: false },
  error: { fill: '#ef6b6b', stroke: '#8f1111', ink: '#2b0000', dashed: false },
  blocked: { fill: '#dcb4b4', stroke: '#8c5757', ink: '#3a1f1f', dashed: true },
};

/** Edges, frames and their labels. */
export const LINE_COLOUR = '#7d8797';
export const FRAME_FILL = 'rgba(125,135,151,0.10)';
export const DASH = '6 5';
