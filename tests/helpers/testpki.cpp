#include "testpki.h"

#include "transport/tls/certificatebuilder.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtNetwork/QHostAddress>
#include <quicpool/certificate.h>

namespace quicpool::testing {

namespace {

bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

/// Fills a PemPair from an issued pair and writes it as <base>.pem / <base>.key.
PemPair store(const CertificateAndKey &pair, const QString &base, QString *error)
{
    PemPair out;
    out.certificateFile = base + QStringLiteral(".pem");
    out.privateKeyFile = base + QStringLiteral(".key");
    out.certificatePem = pair.certificatePem;
    out.privateKeyPem = pair.privateKeyPem;
    if (!writeFile(out.certificateFile, pair.certificatePem, error)
        || !writeFile(out.privateKeyFile, pair.privateKeyPem, error))
        return PemPair();
    const QList<QSslCertificate> parsed = QSslCertificate::fromData(pair.certificatePem, QSsl::Pem);
    if (parsed.isEmpty()) {
        if (error)
            *error = QStringLiteral("QSslCertificate cannot parse %1").arg(out.certificateFile);
        return PemPair();
    }
    out.certificate = parsed.first();
    return out;
}

void addName(CertificateSpec *spec, const QString &name)
{
    QHostAddress address;
    if (address.setAddress(name))
        spec->ipAddresses.append(address);
    else
        spec->dnsNames.append(name);
}

} // namespace

TestPki TestPki::create(const QString &dir, const QString &hostname, const QStringList &extraNames,
                        const QString &prefix, QString *error)
{
    const QString base = QDir(dir).filePath(prefix);
    Error issueError;

    CertificateSpec caSpec;
    caSpec.commonName = QStringLiteral("QuicPool Test CA");
    caSpec.isCa = true;
    const CertificateAndKey caPair = issueCertificate(caSpec, nullptr, &issueError);
    if (issueError) {
        if (error)
            *error = issueError.toString();
        return TestPki();
    }

    CertificateSpec leafSpec;
    leafSpec.commonName = hostname;
    addName(&leafSpec, hostname);
    for (const QString &name : extraNames)
        addName(&leafSpec, name);
    const CertificateAndKey leafPair = issueCertificate(leafSpec, &caPair, &issueError);
    if (issueError) {
        if (error)
            *error = issueError.toString();
        return TestPki();
    }

    TestPki pki;
    pki.ca = store(caPair, base + QStringLiteral("-ca"), error);
    if (!pki.ca.isValid())
        return TestPki();
    pki.leaf = store(leafPair, base + QStringLiteral("-leaf"), error);
    if (!pki.leaf.isValid())
        return TestPki();
    return pki;
}

PemPair writeSelfSigned(const QString &dir, const QString &name, const QString &prefix,
                        QString *error)
{
    Error issueError;
    const CertificateAndKey pair = generateSelfSigned(name, 365, &issueError);
    if (issueError) {
        if (error)
            *error = issueError.toString();
        return PemPair();
    }
    return store(pair, QDir(dir).filePath(prefix), error);
}

} // namespace quicpool::testing
