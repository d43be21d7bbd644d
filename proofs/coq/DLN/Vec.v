(* Vectors and matrices of rationals as lists; every sum is reduced (Qred) at every step,
   so that long sums of big rationals stay small under vm_compute. *)
From Coq Require Import QArith Qabs List Bool Lia.
Import ListNotations.
Open Scope Q_scope.
Arguments Qred : simpl never.
Arguments Qmult : simpl never.
Arguments Qplus : simpl never.
Arguments Qopp : simpl never.

Fixpoint sum (l : list Q) : Q :=
  match l with [] => 0 | a :: l' => Qred (a + sum l') end.

(* <u, v>, truncated to the shorter list *)
Fixpoint dot (u v : list Q) : Q :=
  match u, v with
  | a :: u', b :: v' =>
      match Qnum a, Qnum b with
      | Z0, _ | _, Z0 => dot u' v'
      | _, _ => Qred (a * b + dot u' v')
      end
  | _, _ => 0
  end.

(* u + v, the shorter padded with zeros *)
Fixpoint vadd (u v : list Q) : list Q :=
  match u, v with
  | a :: u', b :: v' => Qred (a + b) :: vadd u' v'
  | [], _ => v
  | _, [] => u
  end.

Definition scale (s : Q) (u : list Q) : list Q := map (fun a => Qred (s * a)) u.
Definition vsub (u v : list Q) : list Q := vadd u (scale (-1) v).

(* matrices: lists of rows *)
Definition matvec (M : list (list Q)) (v : list Q) : list Q := map (fun r => dot r v) M.
(* u^T M = sum_i u_i * row_i *)
Fixpoint vecmat (u : list Q) (M : list (list Q)) : list Q :=
  match u, M with
  | a :: u', r :: M' => vadd (scale a r) (vecmat u' M')
  | _, _ => []
  end.
(* v^T M v *)
Definition quad (M : list (list Q)) (v : list Q) : Q := dot v (matvec M v).

Arguments dot : simpl never.

Definition eqv : list Q -> list Q -> Prop := Forall2 Qeq.

Lemma dot_cons a b u v : dot (a :: u) (b :: v) == a * b + dot u v.
Proof.
  change (dot (a :: u) (b :: v)) with
    (match Qnum a, Qnum b with
     | Z0, _ | _, Z0 => dot u v
     | _, _ => Qred (a * b + dot u v)
     end).
  destruct a as [[|na|na] da], b as [[|nb|nb] db]; cbn [Qnum]; try apply Qred_correct;
  match goal with |- _ == ?p * ?q + _ =>
    assert (p * q == 0) as -> by (unfold Qeq; simpl; reflexivity) end; ring.
Qed.

Lemma sum_cons a l : sum (a :: l) == a + sum l.
Proof. simpl. apply Qred_correct. Qed.

Lemma dot_nil_l v : dot [] v = 0.
Proof. reflexivity. Qed.
Lemma dot_nil_r u : dot u [] = 0.
Proof. destruct u; reflexivity. Qed.

Lemma dot_comm u v : dot u v == dot v u.
Proof.
  revert v; induction u as [|a u IH]; intros [|b v]; try reflexivity.
  rewrite !dot_cons, IH. ring.
Qed.

Lemma dot_vadd_l a b v : dot (vadd a b) v == dot a v + dot b v.
Proof.
  revert b v; induction a as [|x a IH]; intros b v.
  - simpl. rewrite dot_nil_l. ring.
  - destruct b as [|y b].
    + simpl. rewrite dot_nil_l. ring.
    + destruct v as [|z v]; simpl; [rewrite !dot_nil_r; ring|].
      rewrite !dot_cons, Qred_correct, IH. ring.
Qed.

Lemma dot_vadd_r u a b : dot u (vadd a b) == dot u a + dot u b.
Proof. rewrite dot_comm, dot_vadd_l, (dot_comm a), (dot_comm b). reflexivity. Qed.

Lemma dot_scale_l s u v : dot (scale s u) v == s * dot u v.
Proof.
  revert v; induction u as [|a u IH]; intros [|b v]; unfold scale; simpl map;
    rewrite ?dot_nil_l, ?dot_nil_r; try ring.
  rewrite !dot_cons, Qred_correct. fold (scale s u). rewrite IH. ring.
Qed.

Lemma dot_scale_r s u v : dot u (scale s v) == s * dot u v.
Proof. rewrite dot_comm, dot_scale_l, dot_comm. reflexivity. Qed.

Lemma dot_vsub_l a b v : dot (vsub a b) v == dot a v - dot b v.
Proof. unfold vsub. rewrite dot_vadd_l, dot_scale_l. ring. Qed.

Lemma dot_vsub_r u a b : dot u (vsub a b) == dot u a - dot u b.
Proof. rewrite dot_comm, dot_vsub_l, !(dot_comm u). reflexivity. Qed.

Lemma dot_matvec_vecmat u M v : dot u (matvec M v) == dot (vecmat u M) v.
Proof.
  revert M; induction u as [|a u IH]; intros [|r M]; unfold matvec; simpl map; simpl vecmat;
    rewrite ?dot_nil_l, ?dot_nil_r; try reflexivity.
  rewrite dot_cons, dot_vadd_l, dot_scale_l. fold (matvec M v). rewrite IH. ring.
Qed.

Lemma dot_matvec_vadd u M a b :
  dot u (matvec M (vadd a b)) == dot u (matvec M a) + dot u (matvec M b).
Proof.
  revert M; induction u as [|c u IH]; intros [|r M]; unfold matvec; simpl map;
    rewrite ?dot_nil_l, ?dot_nil_r; try ring.
  rewrite !dot_cons. fold (matvec M a) (matvec M b) (matvec M (vadd a b)).
  rewrite IH, dot_vadd_r. ring.
Qed.

Lemma dot_matvec_scale u M s a :
  dot u (matvec M (scale s a)) == s * dot u (matvec M a).
Proof.
  revert M; induction u as [|c u IH]; intros [|r M]; unfold matvec; simpl map;
    rewrite ?dot_nil_l, ?dot_nil_r; try ring.
  rewrite !dot_cons. fold (matvec M a) (matvec M (scale s a)).
  rewrite IH, dot_scale_r. ring.
Qed.

(* the bilinear expansion, with no symmetry of M needed *)
Lemma quad_vadd M a b :
  quad M (vadd a b) == quad M a + dot (vadd (matvec M a) (vecmat a M)) b + quad M b.
Proof.
  unfold quad. rewrite dot_vadd_l, !dot_matvec_vadd, dot_vadd_l.
  rewrite (dot_matvec_vecmat a M b), (dot_comm b (matvec M a)). ring.
Qed.

Lemma quad_scale M s a : quad M (scale s a) == s * s * quad M a.
Proof. unfold quad. rewrite dot_scale_l, dot_matvec_scale. ring. Qed.

(* respect of pointwise equality *)
Lemma dot_eqv_l u u' v : eqv u u' -> dot u v == dot u' v.
Proof.
  intros H; revert v; induction H as [|a a' u u' Ha H IH]; intros [|b v];
    rewrite ?dot_nil_l, ?dot_nil_r; try reflexivity.
  rewrite !dot_cons, Ha, IH. reflexivity.
Qed.

Lemma dot_eqv_r u v v' : eqv v v' -> dot u v == dot u v'.
Proof. intros H. rewrite dot_comm, (dot_eqv_l _ _ _ H), dot_comm. reflexivity. Qed.

Lemma dot_matvec_eqv w M v v' : eqv v v' -> dot w (matvec M v) == dot w (matvec M v').
Proof.
  intros H; revert M; induction w as [|c w IH]; intros [|r M]; unfold matvec; simpl map;
    rewrite ?dot_nil_l, ?dot_nil_r; try reflexivity.
  rewrite !dot_cons. fold (matvec M v) (matvec M v'). rewrite IH, (dot_eqv_r _ _ _ H).
  reflexivity.
Qed.

Lemma quad_eqv M v v' : eqv v v' -> quad M v == quad M v'.
Proof.
  intros H. unfold quad. rewrite (dot_eqv_l _ _ _ H), (dot_matvec_eqv _ _ _ _ H). reflexivity.
Qed.

Lemma eqv_refl v : eqv v v.
Proof. induction v; constructor; [reflexivity | assumption]. Qed.

Lemma vadd_vsub a b : length a = length b -> eqv (vadd a (vsub b a)) b.
Proof.
  revert b; induction a as [|x a IH]; intros [|y b] Hl; simpl in *; try discriminate.
  - constructor.
  - constructor.
    + rewrite !Qred_correct. ring.
    + apply IH. lia.
Qed.

Lemma length_vadd a b : length (vadd a b) = Nat.max (length a) (length b).
Proof.
  revert b; induction a as [|x a IH]; intros [|y b]; simpl; auto.
Qed.

Lemma length_vsub a b : length a = length b -> length (vsub a b) = length a.
Proof. intros H. unfold vsub, scale. rewrite length_vadd, map_length. lia. Qed.

(* boolean helpers *)
Fixpoint forall2b {A B} (f : A -> B -> bool) (l : list A) (m : list B) : bool :=
  match l, m with
  | a :: l', b :: m' => f a b && forall2b f l' m'
  | [], [] => true
  | _, _ => false
  end.

Lemma forall2b_Forall2 {A B} (f : A -> B -> bool) l m :
  forall2b f l m = true -> Forall2 (fun a b => f a b = true) l m.
Proof.
  revert m; induction l as [|a l IH]; intros [|b m] H; simpl in H; try discriminate.
  - constructor.
  - apply andb_true_iff in H as [H1 H2]. constructor; auto.
Qed.

Lemma Forall2_length {A B} (P : A -> B -> Prop) l m : Forall2 P l m -> length l = length m.
Proof. induction 1; simpl; auto. Qed.

Lemma Qeq_bool_sound a b : Qeq_bool a b = true -> a == b.
Proof. apply Qeq_bool_iff. Qed.
Lemma Qle_bool_sound a b : Qle_bool a b = true -> a <= b.
Proof. apply Qle_bool_iff. Qed.
Definition Qlt_bool (a b : Q) : bool := negb (Qle_bool b a).
Lemma Qlt_bool_sound a b : Qlt_bool a b = true -> a < b.
Proof.
  unfold Qlt_bool. intros H. apply negb_true_iff in H.
  apply Qnot_le_lt. intros H'. apply Qle_bool_iff in H'. congruence.
Qed.

(* nth with a binary index *)
Fixpoint nthN {A} (n : N) (l : list A) (d : A) : A :=
  match l with
  | [] => d
  | a :: l' => if N.eqb n 0 then a else nthN (N.pred n) l' d
  end.
