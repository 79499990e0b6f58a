import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
  type VariableModel,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatusHistory } from '@grafana/grafana-foundation-sdk/statushistory';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { type PanelQuery, QUERIES, VARIABLE_QUERIES } from './queries.js';

/**
 * The fleet's USE dashboard (deploy/grafana/usewatch-use.json), built with Grafana's typed builders
 * from the queries of queries.ts: a hosts × resources matrix of the worst status per cell, the
 * findings being raised, and a drill-down row per host with its USE matrix over time.
 */
export const DASHBOARD_UID = 'usewatch-use';

const DATASOURCE = { type: 'prometheus', uid: '$datasource' };

/** usewatch_use_status values as words and colours, the same in every panel. */
const STATUS_MAPPINGS: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      '0': { text: 'OK', color: 'green', index: 0 },
      '1': { text: 'WARNING', color: 'orange', index: 1 },
      '2': { text: 'CRITICAL', color: 'red', index: 2 },
      '3': { text: 'UNKNOWN', color: 'text', index: 3 },
    },
  },
];

const STATUS_THRESHOLDS = new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
  { value: null, color: 'green' },
  { value: 1, color: 'orange' },
  { value: 2, color: 'red' },
  { value: 3, color: 'text' },
]);

function target(q: PanelQuery, refId = 'A'): DataqueryBuilder {
  const t = new DataqueryBuilder().refId(refId).datasource(DATASOURCE).expr(q.expr);
  if (q.legend) t.legendFormat(q.legend);
  return q.instant ? t.instant().format(PromQueryFormat.Table) : t.range();
}

function useMatrixPanel(): Table {
  return new Table()
    .id(2)
    .title('USE matrix: worst status per host and resource')
    .description(
      'Each cell is the worst status of the resource’s cells on that host (critical over warning over ok; unknown only where nothing is known).',
    )
    .datasource(DATASOURCE)
    .withTarget(target(QUERIES.useMatrix))
    .withTransformation({
      id: 'groupingToMatrix',
      options: { columnField: 'resource', rowField: 'instance', valueField: 'Value' },
    })
    .mappings(STATUS_MAPPINGS)
    .thresholds(STATUS_THRESHOLDS)
    .cellOptions({ type: common.TableCellDisplayMode.ColorBackground } as common.TableCellOptions)
    .overrideByName('instance\\resource', [
      { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.Auto } },
      { id: 'displayName', value: 'host' },
    ])
    .span(24)
    .height(8);
}

/** USE statuses over time, one row per series, coloured as in the matrix. */
function statusHistory(id: number, title: string, q: PanelQuery, size: { span: number; height: number }) {
  return new StatusHistory()
    .id(id)
    .title(title)
    .datasource(DATASOURCE)
    .withTarget(target(q))
    .mappings(STATUS_MAPPINGS)
    .thresholds(STATUS_THRESHOLDS)
    .showValue(common.VisibilityMode.Never)
    .span(size.span)
    .height(size.height);
}

function findingsPanel(): Table {
  return new Table()
    .id(4)
    .title('Findings being raised')
    .description(
      'Checklist findings firing now, by host, rule and device, with the culprits taken when each fired and the next commands; `usewatch top --connect HOST` shows them live.',
    )
    .datasource(DATASOURCE)
    .withTarget(target(QUERIES.activeFindings))
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        renameByName: { instance: 'host', usewatch_instance: 'device', Value: 'severity (2 critical)' },
      },
    })
    .span(12)
    .height(8);
}

function valuesPanel(id: number, title: string, q: PanelQuery, unit?: string): TimeSeries {
  const panel = new TimeSeries().id(id).title(title).datasource(DATASOURCE).withTarget(target(q)).span(8).height(8);
  return unit ? panel.unit(unit) : panel;
}

function variables(): cog.Builder<VariableModel>[] {
  return [
    new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    new QueryVariableBuilder('job')
      .label('Job')
      .datasource(DATASOURCE)
      .query(VARIABLE_QUERIES.job)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .multi(true)
      .includeAll(true)
      .allValue('.+')
      .sort(VariableSort.AlphabeticalAsc),
    new QueryVariableBuilder('host')
      .label('Host')
      .datasource(DATASOURCE)
      .query(VARIABLE_QUERIES.host)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .multi(true)
      .includeAll(true)
      .allValue('.+')
      .sort(VariableSort.AlphabeticalAsc),
  ];
}

export function useDashboard(): object {
  return new DashboardBuilder('usewatch / USE fleet')
    .uid(DASHBOARD_UID)
    .tags(['usewatch', 'use-method'])
    .description('Utilization, saturation and errors of every resource of every host, from usewatch agents.')
    .editable()
    .timezone('browser')
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .variables(variables())
    .withRow(new RowBuilder('Fleet').id(1))
    .withPanel(useMatrixPanel())
    .withPanel(statusHistory(3, 'Worst status per host over time', QUERIES.worstPerHost, { span: 12, height: 8 }))
    .withPanel(findingsPanel())
    .withRow(new RowBuilder('Host $host').id(5).repeat('host'))
    .withPanel(statusHistory(6, 'USE matrix over time: $host', QUERIES.hostMatrix, { span: 24, height: 9 }))
    .withPanel(valuesPanel(7, 'Utilization', QUERIES.hostUtilization, 'percentunit'))
    .withPanel(valuesPanel(8, 'Saturation (each metric in its unit)', QUERIES.hostSaturation))
    .withPanel(valuesPanel(9, 'Errors (each metric in its unit)', QUERIES.hostErrors))
    .build();
}

/** The JSON as shipped: two-space indents and a final line feed. */
export function useDashboardJson(): string {
  return `${JSON.stringify(useDashboard(), null, 2)}\n`;
}
