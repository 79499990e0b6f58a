import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { prometheusExporter } from '../../src/agent/outputs.js';
import { RecordingProblems } from '../../src/agent/recording-problems.js';
import { agentState } from '../../src/agent/state.js';
import { loadChecklist } from '../../src/checklist/load.js';
import { loadConfig } from '../../src/config/load.js';
import { cgroupFrame } from '../outputs/cgroup-frame.js';
import { recordingLogger } from '../server/helpers.js';

/** /metrics as the agent builds it from its configuration, with a frame carrying three cgroups published. */
async function agentMetrics(yaml: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'usewatch-outputs-')), 'config.yaml');
  await writeFile(file, yaml);
  const { config } = await loadConfig({ file, env: {} });
  const state = agentState(config, await loadChecklist(), recordingLogger().log);
  state.bus.publish(cgroupFrame());
  const exporter = prometheusExporter(config, state, { recordingProblems: new RecordingProblems() }, () => undefined);
  return (await exporter!.render()).body;
}

describe('the agent passes prometheus.cgroups to /metrics', () => {
  test('on by default: container_* series of the carried cgroups', async () => {
    expect(await agentMetrics('log:\n  level: info\n')).toContain('container_oom_events_total{container="web"');
  });

  test('prometheus.cgroups: false: none', async () => {
    expect(await agentMetrics('prometheus:\n  cgroups: false\n')).not.toContain('container_');
  });
});
