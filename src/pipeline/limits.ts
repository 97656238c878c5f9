/**
 * Limits of the options the CLI and the extension share, written once (package.json's settings schema repeats them
 * for the Settings UI; a unit test keeps it in step).
 */

/** The bundled GloVe table holds 50,000 words (scripts/build-models.ts); K is a tokenizer option below that. */
export const GLOVE_VOCAB = { min: 100, max: 50_000 } as const;

/** Seeds of the mixing experiment: the overlap effect's interval is over them; each costs a set of probe fits. */
export const MIXING_SEEDS = { min: 1, max: 1000 } as const;
