/*
 * compiler.h - hints to the compiler for the hot loops, empty where it is not GCC or Clang.
 */
#ifndef CHAFF_LIB_COMPILER_H
#define CHAFF_LIB_COMPILER_H

#if defined(__GNUC__)
#define CHAFF_NOINLINE      __attribute__((noinline))
#define CHAFF_ALWAYS_INLINE __attribute__((always_inline))
#else
#define CHAFF_NOINLINE
#define CHAFF_ALWAYS_INLINE
#endif

#endif
