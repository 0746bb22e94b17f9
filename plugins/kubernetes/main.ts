import { startPlugin } from '../../shared/plugin.ts';
import { run } from './run.ts';
import { rules, settings } from './settings.ts';

startPlugin({ name: 'kubernetes', settings, rules, run, timeLimit: 'timeout' });
