import { describe, expect, it } from 'vitest';
import { feedAddress } from '../../src/fleet/feed-address.js';
import { parseFeedMap } from '../../src/fleet/feed-map.js';
import type { FleetHost } from '../../src/fleet/model.js';

const host = (name: string, labels: Record<string, string> = {}): FleetHost => ({
  name,
  job: 'usewatch',
  labels: { instance: name, ...labels },
  up: true,
  cells: {},
  worst: 'ok',
  findings: [],
  firing: 0,
});

describe('feedAddress', () => {
  it("is the target's address by default, over TLS when the agents have a CA", () => {
    expect(feedAddress(host('db-1:9733'), { tls: false })).toEqual({ url: 'ws://db-1:9733/feed' });
    expect(feedAddress(host('db-1:9733'), { tls: true })).toEqual({ url: 'wss://db-1:9733/feed' });
  });

  it('takes a relabelled label, and a mapping before both', () => {
    const h = host('10.0.0.5:9733', { agent: 'https://db-1.example.com:9733' });
    expect(feedAddress(h, { label: 'agent', tls: false })).toEqual({ url: 'wss://db-1.example.com:9733/feed' });
    const map = new Map([['10.0.0.5:9733', 'ws://bastion:9000/db-1/feed']]);
    expect(feedAddress(h, { map, label: 'agent', tls: false })).toEqual({ url: 'ws://bastion:9000/db-1/feed' });
    expect(feedAddress(host('x:1'), { label: 'agent', tls: false })).toEqual({
      problem: 'x:1 has no label agent (--feed-label)',
    });
  });
});

describe('parseFeedMap', () => {
  it('reads host: URL pairs, adding /feed to a bare address', () => {
    const map = parseFeedMap('db-1:9733: ws://db-1.internal:9733\n"10.0.0.5:9733": https://db-2:9733/feed\n', 'm.yaml');
    expect([...map]).toEqual([
      ['db-1:9733', 'ws://db-1.internal:9733/feed'],
      ['10.0.0.5:9733', 'wss://db-2:9733/feed'],
    ]);
  });

  it('reports every problem at file:line:col', () => {
    expect(() => parseFeedMap('a: ws://a:1\nb: ftp://b/\nc: [1, 2]\n', 'map.yaml')).toThrow(
      'map.yaml:2:4: not a feed URL: "ftp://b/" (expected ws:// or wss://)\nmap.yaml:3:4: expected host: URL',
    );
    expect(() => parseFeedMap('- a\n', 'map.yaml')).toThrow('map.yaml:1:1: expected a mapping of host: feed URL');
    expect(() => parseFeedMap('a: x\na: y\n', 'map.yaml')).toThrow('map.yaml:2:1: DUPLICATE_KEY');
  });
});
