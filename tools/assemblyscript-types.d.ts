// The AssemblyScript integer type that assembly/reply/reasons.ts uses, for the TypeScript side:
// that file is imported by both compilers, so the tooling reads the very registry the filter has.
declare type i32 = number;
