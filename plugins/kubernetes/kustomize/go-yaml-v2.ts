import { boolYaml11Tag, FAILSAFE_SCHEMA, floatCoreTag, mergeTag, nullYaml11Tag } from 'js-yaml';
import { goIntTag } from '../../../shared/yaml.ts';

/**
 * Scalars as go-yaml v2 reads them, which is how kustomize reads a JSON 6902 patch written in YAML
 * (sigs.k8s.io/yaml): YAML 1.1 booleans (`yes`, `on`, `y` are true) on top of Go's integers
 * (`0755` is octal). Elsewhere kustomize reads YAML with go-yaml v3, where `yes` stays a string.
 */
export const GO_YAML_V2_SCHEMA = FAILSAFE_SCHEMA.withTags(nullYaml11Tag, boolYaml11Tag, goIntTag, floatCoreTag, mergeTag);
