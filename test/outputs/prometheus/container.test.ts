import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Frame } from '../../../src/model/frame.js';
import { createPrometheusExporter } from '../../../src/outputs/prometheus/exporter.js';
import { CGROUPS, COUNTERS, CRI_ID, cgroupFrame, DOCKER_ID } from '../cgroup-frame.js';
import { find, parseExposition } from './exposition.js';

/**
 * The container_* families of three hand-made cgroups, pinned as a whole in
 * test/fixtures/golden/containers.txt (UPDATE_GOLDEN=1 rewrites it; review the diff).
 */
const GOLDEN = new URL('../../fixtures/golden/containers.txt', import.meta.url).pathname;

const SERVICE = 'id="/system.slice/app\\\\x2dapi.service",name="app\\\\x2dapi.service"';
const DOCKER = `container="web",id="/system.slice/docker-${DOCKER_ID}.scope",name="web"`;
const CART =
  'container="cart",id="/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7c1e.slice/' +
  `cri-containerd-${CRI_ID}.scope",name="shop/cart-7d9f/cart",namespace="shop",pod="cart-7d9f"`;

async function scrape(frame: Frame | undefined, cgroups?: boolean): Promise<string> {
  const exporter = createPrometheusExporter({ latest: () => frame, version: '9.9.9', openFds: () => 3, cgroups });
  return (await exporter.render()).body;
}

/** The container part of a body: from the first container_ family to the first family after them. */
function containerPart(body: string): string {
  const at = body.indexOf('# HELP container_');
  if (at < 0) return '';
  const after = /\n# HELP (?!container_)/.exec(body.slice(at));
  return after === null ? body.slice(at) : body.slice(at, at + after.index);
}

describe('container_* families under cAdvisor names', () => {
  test('three cgroups: the container part of /metrics matches test/fixtures/golden/containers.txt', async () => {
    const text = containerPart(await scrape(cgroupFrame()));
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  test('exact lines: labels escaped, cpu="total", seconds and bytes as carried', async () => {
    const lines = (await scrape(cgroupFrame())).split('\n');
    for (const line of [
      '# TYPE container_cpu_usage_seconds_total counter',
      `container_cpu_usage_seconds_total{${SERVICE},cpu="total"} 1234.5`,
      `container_cpu_cfs_throttled_periods_total{${SERVICE}} 15000`,
      `container_cpu_cfs_throttled_seconds_total{${CART}} 540.125`,
      `container_cpu_cfs_periods_total{${CART}} 3600000`,
      `container_memory_working_set_bytes{${DOCKER}} 260000000`,
      `container_spec_memory_limit_bytes{${DOCKER}} 268435456`,
      `container_oom_events_total{${DOCKER}} 1`,
      `container_pressure_cpu_waiting_seconds_total{${CART}} 900.5`,
      `container_pressure_io_stalled_seconds_total{${SERVICE}} 1.5`,
      `container_threads{${CART}} 9`,
    ]) {
      expect(lines, line).toContain(line);
    }
  });

  test("cAdvisor's conventions: CFS series only with a quota, 0 for no memory or thread limit", async () => {
    const { samples, types } = parseExposition(await scrape(cgroupFrame()));
    // Label values as written, escaped: the service's id has a backslash.
    const id = (i: number) => CGROUPS[i].id.replaceAll('\\', '\\\\');
    const ids = (name: string) => find(samples, name).map((s) => s.labels.id);
    // The docker container has no quota: no CFS series although its counters carry periods.
    expect(ids('container_cpu_cfs_periods_total')).toEqual([id(0), id(2)]);
    expect(find(samples, 'container_spec_memory_limit_bytes', { id: id(0) })[0].value).toBe(0);
    expect(find(samples, 'container_threads_max', { id: CGROUPS[1].id })[0].value).toBe(0);
    // A quantity no cgroup has is not a family at all.
    expect(types.has('container_spec_cpu_quota')).toBe(false);
    // The pod/namespace labels kubernetes-mixin groups CPUThrottlingHigh by.
    expect(find(samples, 'container_cpu_cfs_throttled_periods_total', { container: 'cart' })[0].labels).toMatchObject({
      pod: 'cart-7d9f',
      namespace: 'shop',
    });
  });

  test('no carried cgroups, or prometheus.cgroups: false: no container_ line at all', async () => {
    expect(await scrape(cgroupFrame({ cgroups: undefined }))).not.toContain('container_');
    expect(await scrape(cgroupFrame({ cgroups: [], counters: {} }))).not.toContain('container_');
    expect(await scrape(cgroupFrame(), false)).not.toContain('container_');
    expect(await scrape(undefined)).not.toContain('container_');
  });

  test('a counters row that is not its entry is not read: no other cgroup figures under its labels', async () => {
    const swapped = cgroupFrame({ counters: { cgroups: [COUNTERS[1], COUNTERS[0], COUNTERS[2]] } });
    const { samples } = parseExposition(await scrape(swapped));
    expect(find(samples, 'container_cpu_usage_seconds_total').map((s) => s.labels.pod)).toEqual(['cart-7d9f']);
    // The entry's own figures (processes) are still written for all three.
    expect(find(samples, 'container_processes')).toHaveLength(3);
  });

  test('promtool check metrics passes on the whole /metrics with three cgroups', async (ctx) => {
    if (spawnSync('promtool', ['--version']).error) {
      console.log('skipped: promtool is not installed (apt-get install prometheus)');
      ctx.skip();
    }
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: await scrape(cgroupFrame()), encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
  });
});
