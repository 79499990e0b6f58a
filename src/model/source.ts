import type { FrameSource } from './frame.js';

export type SourceKind = 'local' | 'remote' | 'replay';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** What a view (TUI, check report) is given: frames plus where they come from. */
export interface ViewSource {
  kind: SourceKind;
  /** Shown in headers: "local", "ws://host:9733/feed", a recording path. */
  label: string;
  frames: FrameSource;
  /** Connection state changes, for remote sources. */
  onState?(listener: (state: ConnectionState, detail?: string) => void): void;
}
