/* Compiles armillaria.h on its own, as C (see header_alone.cpp for C++). */
#include "armillaria.h"

int main(void)
{
    arm_error err;
    err.status = ARM_OK;
    return err.status == ARM_OK ? 0 : 1;
}
