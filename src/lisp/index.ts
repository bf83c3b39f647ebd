// Public entry points of the Lisp language. Other layers import from here only.
export * from './types.ts';
export { read, MAX_DEPTH } from './reader.ts';
export type { ReadOptions } from './reader.ts';
export { excerptLines, EXCERPT_WIDTH } from './excerpt.ts';
export { printValue, printString, printNumber, printNode } from './printer.ts';
export { Interpreter, valueNode } from './interpreter.ts';
export type { SectionEntry, DataFormEvaluator, Mode } from './interpreter.ts';
export { Scope } from './scope.ts';
export type { EvalOptions, Limits } from './options.ts';
export { DEFAULT_LIMITS, RESTRICTED_LIMITS, limitsOf } from './options.ts';
export { checkSourceSize, readSourceFile } from './source.ts';
export type { SourceLimits } from './source.ts';
export { GUARDED_BUILTINS } from './restrictions.ts';
export { truthy, isEmpty, typeName, describe, display, valuesEqual, isSymbolValue } from './values.ts';
export type { TypeName } from './values.ts';
export { didYouMean, editDistance, suggestionText } from './suggest.ts';
export type { Builtin, Doc } from './builtins/registry.ts';
