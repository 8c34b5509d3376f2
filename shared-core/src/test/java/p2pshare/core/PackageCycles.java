package p2pshare.core;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;

/**
 * The package-cycle check each Java module runs (its NoPackageCycleTest): every package of the
 * module's product code is one slice, and no slice depends back on one that depends on it, so
 * dependencies run one way. (Between modules Maven already forbids a cycle.)
 */
public final class PackageCycles {
  private PackageCycles() {}

  /**
   * Fails, naming the dependencies of each cycle, if this module's classes have a package cycle.
   */
  public static void assertNoneInThisModule() {
    JavaClasses product = new ClassFileImporter().importPath(Path.of("target", "classes"));
    assertTrue(product.size() > 0, "compiled classes expected under target/classes");
    slices().matching("p2pshare.(**)").should().beFreeOfCycles().check(product);
  }
}
