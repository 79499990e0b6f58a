/**
 * Run as a child process by `InventoryCache`: asks systeminformation for the OS and CPU, prints the
 * inventory as one JSON object and exits, so that systeminformation never loads into the agent.
 */
import { cpu, osInfo } from 'systeminformation';
import { describeInventory } from './inventory.js';

const [os, processor] = await Promise.all([osInfo(), cpu()]);
process.stdout.write(`${JSON.stringify(describeInventory({ os, cpu: processor }))}\n`);
