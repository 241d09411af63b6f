// Certificates: every operation @azure/keyvault-certificates 4.10.3 can call,
// with the RBAC data action each one needs. The handlers live in the certificates*.ts modules.
import { DataActions } from '../auth/roles.js';
import type { Operation } from '../context.js';
import { cancelCertificateOperation, createCertificate, deleteCertificateOperation, getCertificateOperation, mergeCertificate } from './certificatesCreate.js';
import { deleteContacts, deleteIssuer, getContacts, getIssuer, listIssuers, setContacts, setIssuer, updateIssuer } from './certificatesIssuers.js';
import {
  backupCertificate,
  deleteCertificate,
  getCertificate,
  getCertificatePolicy,
  getDeletedCertificate,
  importCertificate,
  listCertificates,
  listCertificateVersions,
  listDeletedCertificates,
  purgeDeletedCertificate,
  recoverDeletedCertificate,
  restoreCertificate,
  updateCertificate,
  updateCertificatePolicy,
} from './certificatesLifecycle.js';

const a = DataActions;
type Method = Operation['method'];

function op(name: string, method: Method, path: string, action: string, status: number, handler: Operation['handler']): Operation {
  return { name, method, path, action, status, handler };
}

export const certificateOperations: Operation[] = [
  // Issuers and contacts first: their static segments must not read as certificate names.
  op('getCertificateIssuers', 'GET', '/certificates/issuers', a.certificateIssuersRead, 200, listIssuers),
  op('setCertificateIssuer', 'PUT', '/certificates/issuers/:issuerName', a.certificateIssuersWrite, 200, setIssuer),
  op('updateCertificateIssuer', 'PATCH', '/certificates/issuers/:issuerName', a.certificateIssuersWrite, 200, updateIssuer),
  op('getCertificateIssuer', 'GET', '/certificates/issuers/:issuerName', a.certificateIssuersRead, 200, getIssuer),
  op('deleteCertificateIssuer', 'DELETE', '/certificates/issuers/:issuerName', a.certificateIssuersDelete, 200, deleteIssuer),
  op('setCertificateContacts', 'PUT', '/certificates/contacts', a.certificateContactsWrite, 200, setContacts),
  op('getCertificateContacts', 'GET', '/certificates/contacts', a.certificateContactsRead, 200, getContacts),
  op('deleteCertificateContacts', 'DELETE', '/certificates/contacts', a.certificateContactsWrite, 200, deleteContacts),
  op('restoreCertificate', 'POST', '/certificates/restore', a.certificatesRestore, 200, restoreCertificate),

  op('createCertificate', 'POST', '/certificates/:name/create', a.certificatesCreate, 202, createCertificate),
  op('getCertificateOperation', 'GET', '/certificates/:name/pending', a.certificatesRead, 200, getCertificateOperation),
  op('updateCertificateOperation', 'PATCH', '/certificates/:name/pending', a.certificatesUpdate, 200, cancelCertificateOperation),
  op('deleteCertificateOperation', 'DELETE', '/certificates/:name/pending', a.certificatesUpdate, 200, deleteCertificateOperation),
  op('mergeCertificate', 'POST', '/certificates/:name/pending/merge', a.certificatesUpdate, 201, mergeCertificate),
  op('importCertificate', 'POST', '/certificates/:name/import', a.certificatesImport, 200, importCertificate),

  op('getCertificate', 'GET', '/certificates/:name/', a.certificatesRead, 200, getCertificate),
  op('getCertificate', 'GET', '/certificates/:name', a.certificatesRead, 200, getCertificate),
  op('getCertificate', 'GET', '/certificates/:name/:version', a.certificatesRead, 200, getCertificate),
  op('updateCertificate', 'PATCH', '/certificates/:name/', a.certificatesUpdate, 200, updateCertificate),
  op('updateCertificate', 'PATCH', '/certificates/:name/:version', a.certificatesUpdate, 200, updateCertificate),
  op('getCertificatePolicy', 'GET', '/certificates/:name/policy', a.certificatesRead, 200, getCertificatePolicy),
  op('updateCertificatePolicy', 'PATCH', '/certificates/:name/policy', a.certificatesUpdate, 200, updateCertificatePolicy),
  op('getCertificates', 'GET', '/certificates', a.certificatesRead, 200, listCertificates),
  op('getCertificateVersions', 'GET', '/certificates/:name/versions', a.certificatesRead, 200, listCertificateVersions),
  op('deleteCertificate', 'DELETE', '/certificates/:name', a.certificatesDelete, 200, deleteCertificate),
  op('backupCertificate', 'POST', '/certificates/:name/backup', a.certificatesBackup, 200, backupCertificate),

  op('getDeletedCertificates', 'GET', '/deletedcertificates', a.certificatesRead, 200, listDeletedCertificates),
  op('getDeletedCertificate', 'GET', '/deletedcertificates/:name', a.certificatesRead, 200, getDeletedCertificate),
  op('recoverDeletedCertificate', 'POST', '/deletedcertificates/:name/recover', a.certificatesRecover, 200, recoverDeletedCertificate),
  op('purgeDeletedCertificate', 'DELETE', '/deletedcertificates/:name', a.certificatesPurge, 204, purgeDeletedCertificate),
];
