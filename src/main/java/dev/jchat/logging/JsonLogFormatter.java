package dev.jchat.logging;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One JSON object per line: {@code time}, {@code level} (as System.Logger names it), {@code logger},
 * {@code thread}, {@code message}, every {@link Field} among the parameters as a key of its own,
 * and {@code error} with the stack trace when there is one. Thread-safe.
 */
public final class JsonLogFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        JsonObjectBuilder line = Json.createObjectBuilder()
                .add("time", record.getInstant().toString())
                .add("level", level(record.getLevel()))
                .add("logger", String.valueOf(record.getLoggerName()))
                .add("thread", Thread.currentThread().getName())
                .add("message", formatMessage(record));
        Object[] parameters = record.getParameters();
        if (parameters != null) {
            for (Object parameter : parameters) {
                if (parameter instanceof Field field) {
                    if (field.value() instanceof Number number) {
                        line.add(field.name(), number.longValue());
                    } else {
                        line.add(field.name(), String.valueOf(field.value()));
                    }
                }
            }
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.add("error", trace.toString());
        }
        return line.build() + System.lineSeparator();
    }

    /** java.util.logging's levels by System.Logger's names, which the code logs with. */
    private static String level(Level level) {
        int value = level.intValue();
        return value >= Level.SEVERE.intValue() ? "ERROR"
                : value >= Level.WARNING.intValue() ? "WARNING"
                : value >= Level.INFO.intValue() ? "INFO"
                : value >= Level.FINE.intValue() ? "DEBUG"
                : "TRACE";
    }
}
