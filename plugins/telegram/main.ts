import { startPlugin } from '../../shared/plugin.ts';
import { definition } from './definition.ts';

startPlugin(definition);
