import { readFileSync } from 'node:fs';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { unitNodeFlags } from '../../src/systemd/install.js';

/**
 * deploy/kubernetes/daemonset.yaml against Kubernetes' own OpenAPI schemas (kubernetes-models
 * validates types, required fields, enums and formats), then the promises docs/fleet.md makes of it,
 * field by field: a misspelt field name reads as missing there, since the schemas allow unknown ones.
 */
const DIR = new URL('../../deploy/kubernetes/', import.meta.url).pathname;
const docs = parseAllDocuments(readFileSync(`${DIR}daemonset.yaml`, 'utf8')).map((d) => d.toJS() as { kind: string });
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Namespace: Namespace as never,
  DaemonSet: DaemonSet as never,
  Service: Service as never,
};

function only<T>(kind: string): T {
  const found = docs.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as T;
}

const ds = () => only<DaemonSet>('DaemonSet');
const pod = () => ds().spec!.template.spec!;
const container = () => pod().containers[0];

describe('deploy/kubernetes/daemonset.yaml', () => {
  it('every object is valid against the Kubernetes schemas', () => {
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'DaemonSet', 'Service']);
    for (const doc of docs) {
      const Model = MODELS[doc.kind];
      expect(() => new Model(doc as never).validate(), doc.kind).not.toThrow();
    }
  });

  it('the schemas do refuse a wrong value (the validation is not a no-op)', () => {
    const broken = structuredClone(ds()) as unknown as { spec: { template: { spec: { hostPID: unknown } } } };
    broken.spec.template.spec.hostPID = 'yes';
    expect(() => new DaemonSet(broken as never).validate()).toThrow(/hostPID/);
  });

  it('runs in the host PID and network namespaces and reads the host’s /proc, /sys and os-release read-only', () => {
    expect(pod().hostPID).toBe(true);
    expect(pod().hostNetwork).toBe(true);
    expect(container().args).toContain('--root=/host');
    const mounts = container().volumeMounts!;
    expect(mounts.map((m) => [m.mountPath, m.readOnly])).toEqual([
      ['/host/proc', true],
      ['/host/sys', true],
      ['/host/etc/os-release', true],
      ['/etc/usewatch/token', true],
    ]);
    const hostPaths = Object.fromEntries(pod().volumes!.map((v) => [v.name, v.hostPath?.path]));
    expect(hostPaths).toMatchObject({ proc: '/proc', sys: '/sys', 'os-release': '/etc/os-release' });
  });

  it('has no privilege beyond the systemd unit’s CAP_SYS_PTRACE', () => {
    const unit = readFileSync(new URL('../../deploy/systemd/usewatch.service', import.meta.url), 'utf8');
    const unitCaps = /^CapabilityBoundingSet=(.*)$/m
      .exec(unit)![1]
      .split(/\s+/)
      .map((c) => c.replace(/^CAP_/, ''));
    const sc = container().securityContext!;
    expect(sc.privileged).toBe(false);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(sc.capabilities).toEqual({ drop: ['ALL'], add: unitCaps });
    expect(pod().automountServiceAccountToken).toBe(false);
  });

  it('takes its bearer token from a Secret, readable by its owner only', () => {
    const token = pod().volumes!.find((v) => v.name === 'token')!;
    expect(token.secret).toEqual({ secretName: 'usewatch-token', defaultMode: 0o400 });
    expect(container().args).toContain('--token-file=/etc/usewatch/token/token');
    expect(container().args).toContain('--listen=0.0.0.0:9733');
  });

  it('has resource requests and limits, the limits those of the systemd unit', () => {
    expect(container().resources).toEqual({
      requests: { cpu: '50m', memory: '96Mi' },
      limits: { cpu: '200m', memory: '256Mi' },
    });
  });

  it('a headless Service selects the pods and names the metrics port the scrape job keeps', () => {
    const svc = only<Service>('Service');
    expect(svc.spec!.clusterIP).toBe('None');
    expect(svc.spec!.selector).toEqual(ds().spec!.selector.matchLabels);
    expect(svc.spec!.ports).toEqual([{ name: 'metrics', port: 9733, targetPort: 'metrics', protocol: 'TCP' }]);
    expect(container().ports).toEqual([{ name: 'metrics', containerPort: 9733, protocol: 'TCP' }]);
  });

  it("runs Node with the systemd unit's V8 settings, so the pod's memory matches the service's", () => {
    const unitFlags = unitNodeFlags(
      readFileSync(new URL('../../deploy/systemd/usewatch.service', import.meta.url), 'utf8'),
    );
    expect(unitFlags).toContain('--max-semi-space-size=1');
    const nodeOptions = container().env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
    expect(nodeOptions?.split(' ')).toEqual(unitFlags);
  });
});

describe('deploy/kubernetes/prometheus-scrape.yaml', () => {
  interface Job {
    job_name: string;
    authorization: { type: string; credentials_file: string };
    kubernetes_sd_configs: { role: string; namespaces: { names: string[] } }[];
    relabel_configs: { source_labels: string[]; regex?: string; action?: string; target_label?: string }[];
  }
  const job = (parse(readFileSync(`${DIR}prometheus-scrape.yaml`, 'utf8')) as { scrape_configs: Job[] })
    .scrape_configs[0];

  it('discovers the Service’s endpoints in the DaemonSet’s namespace and keeps its metrics port', () => {
    const svc = only<Service>('Service');
    expect(job.kubernetes_sd_configs).toEqual([
      { role: 'endpoints', namespaces: { names: [svc.metadata!.namespace] } },
    ]);
    const keep = job.relabel_configs.find((r) => r.action === 'keep')!;
    expect(keep.source_labels).toEqual(['__meta_kubernetes_service_name', '__meta_kubernetes_endpoint_port_name']);
    expect(keep.regex).toBe(`${svc.metadata!.name};${svc.spec!.ports![0].name}`);
  });

  it('sends the token of the same Secret and names targets after their node', () => {
    expect(job.authorization).toEqual({
      type: 'Bearer',
      credentials_file: '/etc/prometheus/secrets/usewatch-token/token',
    });
    const instance = job.relabel_configs.find((r) => r.target_label === 'instance')!;
    expect(instance.source_labels).toEqual(['__meta_kubernetes_pod_node_name']);
  });
});
