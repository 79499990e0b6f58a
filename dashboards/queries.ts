/**
 * The PromQL of the USE dashboard's panels, in one place: the dashboard builder puts them in panels
 * and the end-to-end test runs each against a real Prometheus scraping agents. `$job` and `$host`
 * are the dashboard's variables.
 *
 * `instance` is the target's label (the host); a cell's or a finding's own instance (the device,
 * interface, mount or cgroup) is `usewatch_instance`, absent for host-wide cells: host queries
 * group by `instance`, device-level legends read `usewatch_instance`.
 */
const HOSTS = 'job=~"$job", instance=~"$host"';
/** The labels that identify one finding of one host across its series. */
const FINDING = 'job, instance, rule, resource, dimension, usewatch_instance';

/** What each query returns, for the test: the labels of its series and the range of the values. */
export interface QueryShape {
  /** Labels every series has. */
  labels: readonly string[];
  /** Labels some series have: `usewatch_instance` is absent for host-wide cells and findings. */
  optional?: readonly string[];
  /** Inclusive bounds of every value; undefined: any finite number. */
  values?: readonly [number, number];
}

export interface PanelQuery {
  expr: string;
  legend?: string;
  /** Read at the end of the range only (tables of the current state). */
  instant?: boolean;
  shape: QueryShape;
}

const STATUS_RANGE = [0, 3] as const;

/**
 * The worst status of the cells grouped by `by`: critical over warning over ok, and unknown (3, a
 * metric missing) only where no cell of the group is known, so that a missing metric never hides a
 * critical cell.
 */
function worst(by: string): string {
  return `max by (${by}) (usewatch_use_status{${HOSTS}} < 3) or max by (${by}) (usewatch_use_status{${HOSTS}})`;
}

/** Drill-down: the values behind one dimension's cells of one host, one series per resource and device. */
function cellValues(dimension: 'utilization' | 'saturation' | 'errors'): PanelQuery {
  return {
    expr: `max by (instance, resource, usewatch_instance) (usewatch_use_value{${HOSTS}, dimension="${dimension}"})`,
    legend: '{{resource}} {{usewatch_instance}}',
    shape: { labels: ['instance', 'resource'], optional: ['usewatch_instance'] },
  };
}

export const QUERIES = {
  /** Hosts × resources: the worst status of each resource's cells on each host. */
  useMatrix: {
    expr: worst('instance, resource'),
    instant: true,
    shape: { labels: ['instance', 'resource'], values: STATUS_RANGE },
  },
  /** The worst cell of each host over time. */
  worstPerHost: {
    expr: worst('instance'),
    legend: '{{instance}}',
    shape: { labels: ['instance'], values: STATUS_RANGE },
  },
  /**
   * Findings firing now, one row each, valued by severity (1 warning, 2 critical), with the culprit
   * processes and next commands of their info series (docs/agent.md, "Finding series").
   */
  activeFindings: {
    expr:
      'max by (instance, rule, resource, dimension, usewatch_instance, culprit, next) (' +
      `(usewatch_finding_severity{${HOSTS}} and on (${FINDING}) (usewatch_finding_active == 1))` +
      ` * on (${FINDING}) group_left (culprit, next) usewatch_finding_info)`,
    instant: true,
    shape: {
      labels: ['instance', 'rule', 'resource', 'dimension'],
      optional: ['usewatch_instance', 'culprit', 'next'],
      values: [1, 2],
    },
  },
  /** Drill-down: each resource and dimension of one host over time. */
  hostMatrix: {
    expr: worst('resource, dimension'),
    legend: '{{resource}} {{dimension}}',
    shape: { labels: ['dimension', 'resource'], values: STATUS_RANGE },
  },
  hostUtilization: cellValues('utilization'),
  hostSaturation: cellValues('saturation'),
  hostErrors: cellValues('errors'),
} as const satisfies Record<string, PanelQuery>;

/** The variables' queries: the jobs that have agents, and the hosts of the chosen jobs. */
export const VARIABLE_QUERIES = {
  job: 'label_values(usewatch_build_info, job)',
  host: 'label_values(usewatch_use_status{job=~"$job"}, instance)',
} as const;
