import { startPlugin } from '../../shared/plugin.ts';
import { run } from './run.ts';
import { settings } from './settings.ts';

startPlugin({ name: 'slack', settings, run, timeLimit: 'timeout' });
