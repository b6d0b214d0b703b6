// Compiles armillaria.h on its own, as C++.
#include "armillaria.h"

int main()
{
    arm_error err{};
    struct ArrowArrayStream stream{};
    (void)stream;
    return err.status == ARM_OK ? 0 : 1;
}
