/*
 * one.c - x
 * y
 */
#include <stdio.h>
#include "base/compat.h"
