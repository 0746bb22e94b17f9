import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pluginReadmes, root } from './readmes.ts';

for (const readme of await pluginReadmes()) {
  if (readme.current === readme.expected) continue;
  writeFileSync(readme.path, readme.expected);
  console.log(`updated ${relative(root, readme.path)}`);
}
