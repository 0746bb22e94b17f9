import { boolYaml11Tag, defineScalarTag, FAILSAFE_SCHEMA, mergeTag, NOT_RESOLVED, nullYaml11Tag } from 'js-yaml';

/**
 * Scalars as go-yaml v2 reads them, which is how kustomize reads a JSON 6902 patch written in YAML
 * (sigs.k8s.io/yaml): YAML 1.1 booleans (`yes`, `on`, `y` are true), and numbers as Go's
 * strconv.ParseInt with base 0 after dropping underscores (`0777` is octal, `0x1F`, `0b101`,
 * `1_000`), else as a float (`08` is 8). Dates and `1:20` stay strings.
 */
const goNumberTag = defineScalarTag('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: [...'0123456789+-.'],
  resolve: (source: string) => {
    const plain = source.replaceAll('_', '');
    const int = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(plain);
    if (int) {
      const [, sign, hex, octal, binary, leadingZero, decimal] = int;
      const value = hex !== undefined ? parseInt(hex, 16) : octal !== undefined ? parseInt(octal, 8) : binary !== undefined ? parseInt(binary, 2) : leadingZero !== undefined ? parseInt(leadingZero || '0', 8) : Number(decimal);
      return sign === '-' ? -value : value;
    }
    return /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain) ? Number(plain) : NOT_RESOLVED;
  },
  identify: (object: unknown) => typeof object === 'number',
});

export const GO_YAML_V2_SCHEMA = FAILSAFE_SCHEMA.withTags(nullYaml11Tag, boolYaml11Tag, goNumberTag, mergeTag);
