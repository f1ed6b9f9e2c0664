package dev.llmstream.groq;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * A test-only SLF4J provider: while {@link #start()}ed it records every log call at every level, TRACE
 * included, fully formatted (arguments substituted, throwable with its whole stack trace and causes);
 * otherwise every level is disabled. At most 100,000 lines are kept. Registered for this module's tests
 * through {@code META-INF/services}. Thread-safe.
 */
public final class CapturingLogs {
  private static final int MAX_LINES = 100_000;
  private static final List<String> LINES = new ArrayList<>(); // guarded by LINES
  private static volatile boolean active;

  private CapturingLogs() {}

  /** Clears what was recorded and records from now on. */
  static void start() {
    synchronized (LINES) {
      LINES.clear();
    }
    active = true;
  }

  /** Stops recording and returns what was recorded. */
  static List<String> stop() {
    active = false;
    synchronized (LINES) {
      return List.copyOf(LINES);
    }
  }

  static void record(String line) {
    synchronized (LINES) {
      if (LINES.size() < MAX_LINES) {
        LINES.add(line);
      }
    }
  }

  /** The logger: everything enabled while capturing. */
  static final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    CapturingLogger(String name) {
      this.name = name;
    }

    private static boolean on() {
      return active;
    }

    @Override
    public boolean isTraceEnabled() {
      return on();
    }

    @Override
    public boolean isDebugEnabled() {
      return on();
    }

    @Override
    public boolean isInfoEnabled() {
      return on();
    }

    @Override
    public boolean isWarnEnabled() {
      return on();
    }

    @Override
    public boolean isErrorEnabled() {
      return on();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String message, Object[] arguments, Throwable throwable) {
      if (!on()) {
        return;
      }
      StringBuilder b = new StringBuilder(level.toString()).append(' ').append(name).append(" - ")
          .append(MessageFormatter.basicArrayFormat(message, arguments));
      if (throwable != null) {
        StringWriter w = new StringWriter();
        throwable.printStackTrace(new PrintWriter(w));
        b.append('\n').append(w);
      }
      record(b.toString());
    }
  }

  /** The service provider SLF4J finds. */
  public static final class Provider implements SLF4JServiceProvider {
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, CapturingLogger::new);
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
      return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
      return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
      return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
      return "2.0.99";
    }

    @Override
    public void initialize() {}
  }
}
