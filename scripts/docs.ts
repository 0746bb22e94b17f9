import { writeFileSync } from 'node:fs';
import { generatedFiles } from './readmes.ts';

for (const file of await generatedFiles()) {
  if (file.current === file.expected) continue;
  writeFileSync(file.path, file.expected);
  console.log(`updated ${file.name}`);
}
