// The boilerplate of libpool's implicitly shared value classes, written once:
// special members over a QSharedDataPointer named d, and getter/setter pairs
// over fields of the same name in the private class.
#pragma once

#include <QtCore/QSharedData>
#include <utility>

/// At global scope, once per class: the out-of-line destructor the public
/// header declared with QT_DECLARE_QSDP_SPECIALIZATION_DTOR_WITH_EXPORT.
#define QUICPOOL_VALUE_CLASS_DTOR(Class) QT_DEFINE_QSDP_SPECIALIZATION_DTOR(quicpool::Class##Private)

#define QUICPOOL_VALUE_CLASS(Class)                                                                \
    Class::Class() : d(new Class##Private) {}                                                      \
    Class::Class(const Class &other) = default;                                                    \
    Class &Class::operator=(const Class &other) = default;                                         \
    Class::~Class() = default;

/// A field set by value (ints, enums, durations).
#define QUICPOOL_FIELD(Class, Type, name, setter)                                                  \
    Type Class::name() const { return d->name; }                                                   \
    void Class::setter(Type value) { d->name = value; }

/// A field set by const reference (strings, lists, functions).
#define QUICPOOL_REF_FIELD(Class, Type, name, setter)                                              \
    Type Class::name() const { return d->name; }                                                   \
    void Class::setter(const Type &value) { d->name = value; }
