/**
 * The PromQL of the USE dashboard's panels, in one place: the dashboard builder puts them in panels
 * and the end-to-end test runs each against a real Prometheus scraping agents. `$job` and `$host`
 * are the dashboard's variables.
 *
 * USE cells carry a label named `instance` (the device or interface), which Prometheus renames
 * `exported_instance` because the target's own `instance` label (the host) takes the name: host
 * queries group by `instance`, device-level legends read `exported_instance`.
 */
const HOSTS = 'job=~"$job", instance=~"$host"';

/** What each query returns, for the test: the labels of its series and the range of the values. */
export interface QueryShape {
  /** Labels every series has. */
  labels: readonly string[];
  /** Labels some series have: `exported_instance` is absent for host-wide cells and findings. */
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
    expr: `max by (instance, resource, exported_instance) (usewatch_use_value{${HOSTS}, dimension="${dimension}"})`,
    legend: '{{resource}} {{exported_instance}}',
    shape: { labels: ['instance', 'resource'], optional: ['exported_instance'] },
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
   * Findings being raised now, one row each. The finding series' labels are the agent's
   * (docs/agent.md): change this one query when they change.
   */
  activeFindings: {
    expr: `max by (instance, rule, resource, exported_instance, severity) (usewatch_finding_active{${HOSTS}} == 1)`,
    instant: true,
    shape: { labels: ['instance', 'rule', 'resource', 'severity'], optional: ['exported_instance'], values: [1, 1] },
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
