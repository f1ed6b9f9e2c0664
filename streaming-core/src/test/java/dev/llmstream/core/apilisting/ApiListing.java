package dev.llmstream.core.apilisting;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of one library module as a sorted text listing, and the check that keeps the checked-in
 * copy ({@code api/<module>.txt} at the repository root) equal to it.
 *
 * <p>What counts as API: every public or protected type, constructor, method and field, at any nesting
 * depth, of the packages the module's {@code module-info.class} exports without qualification. Each line
 * is the JDK's own rendering ({@code toGenericString()}), so generics, varargs, {@code throws} and
 * {@code default} show. Hand-written here because the JDK has no API-listing tool, and the usual Maven
 * plugins (japicmp, revapi) compare against a released artifact, which this project has none of yet.
 *
 * <p>{@link #check} fails with the lines that differ and the command that regenerates the listing:
 * {@code mvn -B -pl <module> -am test -Dtest='ApiListingTest' -Dsurefire.failIfNoSpecifiedTests=false
 * -Dapi.update=true}. Run from a module's directory (the working directory surefire uses).
 */
public final class ApiListing {
  /** The system property that rewrites the listing instead of comparing it. */
  public static final String UPDATE_PROPERTY = "api.update";

  private ApiListing() {
    throw new AssertionError("no instances");
  }

  /**
   * Compares the module's API with {@code ../api/<artifactId>.txt}, or rewrites that file when
   * {@code -Dapi.update=true}.
   *
   * @param artifactId the module's artifact id, which names the listing file
   * @throws AssertionError if the listing differs (or is missing) and no update was asked for
   * @throws IOException if the classes or the listing cannot be read or written
   */
  public static void check(String artifactId) throws IOException {
    Path classes = Path.of("target", "classes");
    String actual = render(classes);
    Path file = Path.of("..", "api", artifactId + ".txt").toAbsolutePath().normalize();
    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      return;
    }
    String expected = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    if (!expected.equals(actual)) {
      throw new AssertionError(
          "The public API of "
              + artifactId
              + " differs from "
              + file
              + " (review the change, then regenerate the listing and commit it with:\n  mvn -B -pl "
              + artifactId
              + " -am test -Dtest='ApiListingTest' -Dsurefire.failIfNoSpecifiedTests=false -Dapi.update=true)\n"
              + diff(expected, actual));
    }
  }

  /**
   * Renders the API of the module whose classes are in {@code classes}.
   *
   * @param classes a directory with {@code module-info.class} and the compiled classes
   * @return the listing, one line per type or member, types sorted by name
   * @throws IOException if the classes cannot be read
   */
  public static String render(Path classes) throws IOException {
    ModuleDescriptor descriptor;
    try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
      descriptor = ModuleDescriptor.read(in);
    }
    List<String> exported = descriptor.exports().stream()
        .filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source)
        .sorted()
        .collect(Collectors.toList());
    StringBuilder out = new StringBuilder();
    out.append("module ").append(descriptor.name()).append('\n');
    descriptor.requires().stream()
        .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
        .map(r -> "  requires transitive " + r.name())
        .sorted()
        .forEach(line -> out.append(line).append('\n'));
    for (String pkg : exported) {
      out.append("  exports ").append(pkg).append('\n');
    }
    for (String pkg : exported) {
      for (Class<?> type : topLevelTypes(classes, pkg)) {
        appendType(out, type);
      }
    }
    return out.toString();
  }

  private static List<Class<?>> topLevelTypes(Path classes, String pkg) throws IOException {
    Path dir = classes.resolve(pkg.replace('.', '/'));
    List<Class<?>> types = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().collect(Collectors.toList())) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".class") || name.contains("$") || name.equals("package-info.class")) {
          continue;
        }
        Class<?> type = load(pkg + "." + name.substring(0, name.length() - ".class".length()));
        if (Modifier.isPublic(type.getModifiers())) {
          types.add(type);
        }
      }
    }
    return types;
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, ApiListing.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("cannot load " + name + " from the test class path", e);
    }
  }

  private static void appendType(StringBuilder out, Class<?> type) {
    out.append('\n').append(declaration(type)).append('\n');
    Set<String> members = new TreeSet<>();
    for (Field f : type.getDeclaredFields()) {
      if (visible(f) && !f.isSynthetic()) {
        members.add(strip(f.toGenericString(), type));
      }
    }
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (visible(c) && !c.isSynthetic()) {
        members.add(strip(c.toGenericString(), type));
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
        members.add(strip(m.toGenericString(), type));
      }
    }
    members.forEach(m -> out.append("  ").append(m).append('\n'));
    Arrays.stream(type.getDeclaredClasses())
        .filter(c -> visible(c.getModifiers()))
        .sorted(Comparator.comparing(Class::getName))
        .forEach(nested -> appendType(out, nested));
  }

  private static String declaration(Class<?> type) {
    StringBuilder s = new StringBuilder();
    int modifiers = type.getModifiers() & ~Modifier.INTERFACE & ~Modifier.ABSTRACT;
    if (!type.isInterface() && Modifier.isAbstract(type.getModifiers())) {
      modifiers |= Modifier.ABSTRACT;
    }
    if (type.isEnum() || type.isRecord() || type.isInterface()) {
      modifiers &= ~Modifier.FINAL & ~Modifier.STATIC;
    }
    String mods = Modifier.toString(modifiers);
    s.append(mods);
    if (!mods.isEmpty()) {
      s.append(' ');
    }
    if (type.isSealed()) {
      s.append("sealed ");
    }
    s.append(type.isAnnotation() ? "@interface" : type.isInterface() ? "interface"
        : type.isEnum() ? "enum" : type.isRecord() ? "record" : "class");
    s.append(' ').append(type.getTypeName());
    var typeParameters = type.getTypeParameters();
    if (typeParameters.length > 0) {
      s.append(Arrays.stream(typeParameters).map(ApiListing::typeParameter)
          .collect(Collectors.joining(", ", "<", ">")));
    }
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
      s.append(" extends ").append(superclass.getTypeName());
    }
    Type[] interfaces = type.getGenericInterfaces();
    if (interfaces.length > 0) {
      s.append(type.isInterface() ? " extends " : " implements ");
      s.append(Arrays.stream(interfaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
    }
    if (type.isSealed()) {
      s.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses())
          .map(Class::getTypeName).sorted().collect(Collectors.joining(", ")));
    }
    return s.toString();
  }

  private static String typeParameter(java.lang.reflect.TypeVariable<?> v) {
    Type[] bounds = v.getBounds();
    if (bounds.length == 1 && bounds[0] == Object.class) {
      return v.getName();
    }
    return v.getName() + " extends "
        + Arrays.stream(bounds).map(Type::getTypeName).collect(Collectors.joining(" & "));
  }

  private static boolean visible(Member member) {
    return visible(member.getModifiers());
  }

  private static boolean visible(Executable executable) {
    return visible(executable.getModifiers());
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /** Drops the declaring type's name in front of each member name: it is the heading above. */
  private static String strip(String rendered, Class<?> owner) {
    return rendered.replace(" " + owner.getTypeName() + ".", " ").replace(" " + owner.getTypeName() + "(", " " + owner.getSimpleName() + "(");
  }

  private static String diff(String expected, String actual) {
    Set<String> before = new LinkedHashSet<>(expected.lines().collect(Collectors.toList()));
    Set<String> after = new LinkedHashSet<>(actual.lines().collect(Collectors.toList()));
    StringBuilder s = new StringBuilder();
    before.stream().filter(l -> !after.contains(l) && !l.isBlank()).forEach(l -> s.append("- ").append(l).append('\n'));
    after.stream().filter(l -> !before.contains(l) && !l.isBlank()).forEach(l -> s.append("+ ").append(l).append('\n'));
    return s.length() == 0 ? "(same lines, different order)" : s.toString();
  }
}
