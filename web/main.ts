import { LiveView } from './app.js';

new LiveView().start();
