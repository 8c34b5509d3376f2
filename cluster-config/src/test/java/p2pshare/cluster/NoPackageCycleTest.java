package p2pshare.cluster;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Every package of the product code on this module's class path (its own and the modules it uses)
 * is one slice, and no slice depends back on one that depends on it: dependencies run one way.
 */
class NoPackageCycleTest {
  @Test
  void packagesAreFreeOfCycles() {
    JavaClasses product =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("p2pshare");
    slices().matching("p2pshare.(**)").should().beFreeOfCycles().check(product);
  }
}
