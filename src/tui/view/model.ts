import type { Dimension, Frame, Resource } from '../../model/frame.js';
import type { ConnectionState, SourceKind } from '../../model/source.js';
import type { HistoryView } from '../history.js';
import type { UiState } from '../state.js';
import type { Glyphs, Theme } from '../theme.js';

/**
 * What the detail page can say about a checklist rule. The checklist's loaded Rule satisfies it;
 * the TUI only reads these fields, so it works without a checklist (remote feed, recording).
 */
export interface RuleInfo {
  id: string;
  resource: Resource;
  dimension: Dimension;
  metric: string;
  direction: 'above' | 'below';
  warn?: number;
  crit?: number;
  forMs: number;
  summary: string;
  explain: string;
  next: string[];
}

export interface RuleBook {
  rules: readonly RuleInfo[];
  /** Thresholds after per-instance overrides; undefined when the rule is disabled for the instance. */
  thresholdsFor?(ruleId: string, instance: string): { warn?: number; crit?: number; clear: number } | undefined;
}

export interface ScreenModel {
  ui: UiState;
  /** The frame on screen: the latest, or the one frozen by pause. Undefined until the first arrives. */
  frame?: Frame;
  history: HistoryView;
  source: { kind: SourceKind; label: string };
  /** Nominal sampling interval, ms. */
  intervalMs: number;
  connection?: ConnectionState;
  /** Why the connection is in that state, or what it noticed (a gap in the frames). */
  connectionDetail?: string;
  /** Frames received since the view was paused. */
  missed: number;
  rules?: RuleBook;
  /** A one-line message for the status line, e.g. that the source ended. */
  notice?: string;
  /** Set when the source is a recording: its playback speed (0 = as fast as possible). */
  /** A recording's speed, and whether playback holds at its end (the last frame stays shown). */
  replay?: { speed: number; atEnd: boolean };
  /** Problems found in the source so far (damaged recording segments), newest last. */
  warnings?: readonly string[];
}

/** Everything a section renderer needs besides the model. */
export interface Canvas {
  cols: number;
  theme: Theme;
  glyphs: Glyphs;
  /** No colour: statuses are spelled out with a letter (C critical, W warning, ? unknown). */
  statusMarks: boolean;
}
