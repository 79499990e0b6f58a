import { writeFileSync } from 'node:fs';
import { useDashboardJson } from './usewatch-use.js';

/** `npm run dashboards`: writes the shipped dashboard JSON from its builder. */
const OUT = new URL('../../deploy/grafana/usewatch-use.json', import.meta.url);
writeFileSync(OUT, useDashboardJson());
console.log(`wrote ${OUT.pathname}`);
