/* gen_structures.c - writes the synthetic structures the tests (and the README example) use
 *
 * Usage: gen_structures DIR
 *
 * The solids are carbon atoms of ALA residues on a cubic lattice (1.5 A
 * spacing), so every voxel inside the block is protein at 2-3 A, with
 * empty regions carved out of it:
 *   cavity_box.pdb  a sealed spherical hollow           -> cavity
 *   pocket_box.pdb  the hollow plus one channel out     -> pocket
 *   pore_box.pdb    a straight channel through the block -> pore
 *   hub_box.pdb     the hollow plus three channels      -> hub
 * and the corner cases: empty.pdb, one_atom.pdb, two_atoms.pdb,
 * three_atoms.pdb, edge_atoms.pdb (centres exactly on voxel edges) and
 * flat_sheet.pdb (one voxel thick along z at 4 A).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef int (*carve_fn)(double x, double y, double z);

#define HALF 15.0   /* the block spans [-HALF, HALF] on each axis */
#define STEP 1.5

static int hollow(double x, double y, double z) { return x * x + y * y + z * z < 8.0 * 8.0; }
static int channel_x(double x, double y, double z) { return x > 0 && y * y + z * z < 4.6 * 4.6; }
static int channel_y(double x, double y, double z) { return y > 0 && x * x + z * z < 4.6 * 4.6; }
static int channel_z(double x, double y, double z) { return z > 0 && x * x + y * y < 4.6 * 4.6; }

static int carve_cavity(double x, double y, double z) { return hollow(x, y, z); }
static int carve_pocket(double x, double y, double z) { return hollow(x, y, z) || channel_x(x, y, z); }
static int carve_pore(double x, double y, double z) { (void)x; return y * y + z * z < 5.5 * 5.5; }
static int carve_hub(double x, double y, double z)
{
    return hollow(x, y, z) || channel_x(x, y, z) || channel_y(x, y, z) || channel_z(x, y, z);
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gen_structures: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

static void atom(FILE *f, int serial, int resid, double x, double y, double z)
{
    fprintf(f, "ATOM  %5d  CA  ALA A%4d    %8.3f%8.3f%8.3f  1.00  0.00           C\n", serial, resid, x, y, z);
}

/* Lattice block minus the carved region; a slight stretch along x keeps the
 * principal axes well separated, so alignment is stable. */
static void block(const char *dir, const char *name, carve_fn carve)
{
    FILE *f = open_out(dir, name);
    fprintf(f, "HEADER    SYNTHETIC TEST STRUCTURE (vox tests/gen_structures.c)\n");
    int serial = 1;
    int n = (int)(2 * HALF / STEP);
    for (int i = 0; i <= n + 2; i++)
        for (int j = 0; j <= n; j++)
            for (int k = 0; k <= n - 2; k++) {
                double x = -HALF - STEP + i * STEP, y = -HALF + j * STEP, z = -HALF + STEP + k * STEP;
                if (carve(x, y, z))
                    continue;
                atom(f, serial, 1 + serial / 8, x, y, z);
                serial++;
            }
    fprintf(f, "END\n");
    fclose(f);
}

static void few(const char *dir, const char *name, int count)
{
    FILE *f = open_out(dir, name);
    static const double p[3][3] = {{0, 0, 0}, {3.8, 0, 0}, {3.8, 3.8, 1.0}};
    for (int i = 0; i < count; i++)
        atom(f, i + 1, i + 1, p[i][0], p[i][1], p[i][2]);
    fprintf(f, "END\n");
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_structures DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_structures: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    block(dir, "cavity_box.pdb", carve_cavity);
    block(dir, "pocket_box.pdb", carve_pocket);
    block(dir, "pore_box.pdb", carve_pore);
    block(dir, "hub_box.pdb", carve_hub);
    fclose(open_out(dir, "empty.pdb"));
    few(dir, "one_atom.pdb", 1);
    few(dir, "two_atoms.pdb", 2);
    few(dir, "three_atoms.pdb", 3);
    /* centres on multiples of 3 A: with --no-align at 3 A many shell points
     * and centres land exactly on voxel edges */
    FILE *f = open_out(dir, "edge_atoms.pdb");
    int serial = 1;
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 5; k++)
                if (!(i >= 2 && i <= 5 && j >= 1 && j <= 4 && k >= 1 && k <= 3))
                    {
                    atom(f, serial, serial / 4 + 1, 3.0 * i, 3.0 * j, 3.0 * k);
                    serial++;
                }
    fprintf(f, "END\n");
    fclose(f);
    /* a single layer of atoms: at 4 A the grid is one voxel thick along z */
    f = open_out(dir, "flat_sheet.pdb");
    serial = 1;
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < 14; j++) {
            double x = 1.5 * i, y = 1.5 * j;
            if ((x - 15) * (x - 15) + (y - 10) * (y - 10) < 16)
                continue;
            atom(f, serial, serial / 4 + 1, x, y, 0.0);
            serial++;
        }
    fprintf(f, "END\n");
    fclose(f);
    return 0;
}
