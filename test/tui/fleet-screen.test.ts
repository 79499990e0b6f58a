import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { syntheticFleetResponses } from '../../bench/fleet-responses.js';
import { buildFleet, type Fleet, sortHosts, type VectorSample } from '../../src/fleet/model.js';
import { initialFleetUi } from '../../src/tui/fleet-state.js';
import { type FleetScreenModel, renderFleetScreen } from '../../src/tui/view/fleet.js';
import { T0 } from './frames.js';

const PLAIN = { cols: 100, rows: 24, color: false, unicode: false };

function sorted(fleet: Fleet): Fleet {
  return { ...fleet, hosts: sortHosts(fleet.hosts) };
}

function model(fleet: Fleet | undefined, extra: Partial<FleetScreenModel> = {}): FleetScreenModel {
  return {
    ui: initialFleetUi,
    fleet,
    prometheus: 'http://prom:9090/',
    selector: '{job="usewatch"}',
    intervalMs: 15_000,
    refreshedAt: T0,
    ...extra,
  };
}

describe('renderFleetScreen', () => {
  it('shows a row per host, worst first, with U/S/E letters per resource and the firing count', () => {
    const lines = renderFleetScreen(model(sorted(buildFleet(syntheticFleetResponses(20)))), PLAIN);
    expect(lines).toHaveLength(24);
    expect(lines[0]).toMatch(/^ usewatch fleet +http:\/\/prom:9090\/ +\{job="usewatch"\}.* every 15s/);
    expect(lines[1]).toContain('20 hosts: 3 critical, 17 ok  3 firing');
    const head = lines.findIndex((l) => l.startsWith('  HOST '));
    expect(lines[head]).toMatch(/HOST +cpu mem dsk net fs +fd +tsk tcp ctk +FIRE +FINDINGS/);
    // The first host is selected; its cpu group reads utilization ok, saturation critical, no errors cell.
    expect(lines[head + 1]).toMatch(/^> host-0000\.example\.com:9733 +\.C {2,}\.\.\. .* 1 +cpu\.saturation\.runqueue/);
    expect(lines[head + 4]).toMatch(/^ {2}host-0001\.example\.com:9733 +\.\. {2}/);
    const findings = lines.findIndex((l) => l.includes('FINDINGS host-0000'));
    expect(lines[findings + 1]).toMatch(/crit +firing +cpu\.saturation\.runqueue +top: stress-ng-cpu\(4242\)/);
    expect(lines[findings + 2]).toMatch(/warn +pending +disk\.saturation\.await vda/);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(100);
  });

  it('marks hosts Prometheus cannot scrape as down, first', () => {
    const fleet = sorted(buildFleet(syntheticFleetResponses(50)));
    const lines = renderFleetScreen(model(fleet), PLAIN);
    expect(lines.find((l) => l.includes('host-0049'))).toContain('down: scrape failed');
    expect(lines[1]).toContain('1 down, 7 critical');
  });

  it('keeps the selection on its host and lists that host’s findings', () => {
    const fleet = sorted(buildFleet(syntheticFleetResponses(20)));
    const ui = { ...initialFleetUi, selected: 'host-0007.example.com:9733' };
    const lines = renderFleetScreen(model(fleet, { ui }), PLAIN);
    expect(lines.find((l) => l.startsWith('>'))).toContain('host-0007');
    expect(lines.some((l) => l.includes('FINDINGS host-0007.example.com:9733'))).toBe(true);
  });

  it('renders hostile label values inert: no escape sequence reaches the terminal, columns hold', () => {
    const evil = 'evil\x1b[2J\x1b]0;pwned\x07\u202e:9733';
    const cells: VectorSample[] = [
      { metric: { job: 'u', instance: evil, resource: 'cpu', dimension: 'utilization' }, value: [1, '2'] },
    ];
    const findings: VectorSample[] = [
      {
        metric: {
          __name__: 'usewatch_finding_active',
          job: 'u',
          instance: evil,
          rule: 'r\x1b[31m',
          resource: 'cpu',
          dimension: 'utilization',
        },
        value: [1, '1'],
      },
      {
        metric: {
          __name__: 'usewatch_finding_info',
          job: 'u',
          instance: evil,
          rule: 'r\x1b[31m',
          culprit: 'x\x1b[H\ny',
        },
        value: [1, '1'],
      },
    ];
    const lines = renderFleetScreen(
      model(sorted(buildFleet({ cells, findings, up: [] })), { selector: '{a="\x1b[5m"}' }),
      PLAIN,
    );
    const text = lines.join('\n');
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
    expect(text).toContain('evil');
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(100);
  });

  it('paints statuses only with colour: the letters stay the same', () => {
    const fleet = sorted(buildFleet(syntheticFleetResponses(3)));
    const colour = renderFleetScreen(model(fleet), { ...PLAIN, color: true, unicode: true });
    expect(colour.join('\n')).toContain('\x1b[');
    expect(colour.join('\n')).toContain('·');
    expect(renderFleetScreen(model(fleet), PLAIN).join('\n')).not.toContain('\x1b[');
  });

  it('fits 1,000 hosts in 80x24 with the selected one in view', () => {
    const fleet = sorted(buildFleet(syntheticFleetResponses(1000)));
    const last = fleet.hosts.at(-1)!.name;
    const lines = renderFleetScreen(model(fleet, { ui: { ...initialFleetUi, selected: last } }), {
      ...PLAIN,
      cols: 80,
    });
    expect(lines).toHaveLength(24);
    expect(lines.find((l) => l.startsWith('>'))).toContain(last.slice(0, 20));
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(80);
  });

  it('shows the wait, the filter prompt, a notice, the help, and a too-small terminal', () => {
    expect(renderFleetScreen(model(undefined, { refreshedAt: undefined }), PLAIN).join('\n')).toContain(
      'waiting for the first answer from Prometheus',
    );
    const fleet = sorted(buildFleet(syntheticFleetResponses(20)));
    const filtering = renderFleetScreen(
      model(fleet, { ui: { ...initialFleetUi, filter: '0013', filterEditing: true } }),
      PLAIN,
    );
    expect(filtering.at(-1)).toMatch(/^ filter: 0013_/);
    expect(filtering.join('\n')).toContain('filter "0013": 1');
    const notice = renderFleetScreen(model(fleet, { notice: 'refresh failed: ECONNREFUSED' }), PLAIN);
    expect(notice.at(-1)).toMatch(/^ refresh failed: ECONNREFUSED +q quit/);
    const help = renderFleetScreen(model(fleet, { ui: { ...initialFleetUi, help: true } }), PLAIN);
    expect(help.join('\n')).toContain("the host's live view");
    expect(renderFleetScreen(model(fleet), { ...PLAIN, cols: 60 })[0]).toContain('terminal too small (60x24)');
  });
});
