import { feedUrl } from '../feed/client.js';
import type { FleetHost } from './model.js';

/** Where a host's live feed is: a mapping file first, then a label, then the target's address. */
export interface FeedAddressing {
  /** host (the target's `instance`) → feed URL, from `--feed-map`. */
  map?: ReadonlyMap<string, string>;
  /** `--feed-label NAME`: a target label that holds the agent's address (relabelled). */
  label?: string;
  /** Agents serve TLS (`--agent-ca-file`): http-less addresses become wss://. */
  tls: boolean;
}

/** The feed URL of a host, or why there is none. */
export function feedAddress(host: FleetHost, how: FeedAddressing): { url: string } | { problem: string } {
  const mapped = how.map?.get(host.name);
  if (mapped !== undefined) return { url: mapped };
  const address = how.label ? host.labels[how.label] : host.name;
  if (!address) return { problem: `${host.name} has no label ${how.label} (--feed-label)` };
  const withScheme = /^[a-z]+:\/\//i.test(address) ? address : `${how.tls ? 'https' : 'http'}://${address}`;
  try {
    return { url: feedUrl(withScheme).toString() };
  } catch (err) {
    return { problem: `${host.name}: ${(err as Error).message}` };
  }
}
